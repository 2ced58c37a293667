/// An 8-bit-per-channel, row-major, top-down pixel buffer in RGB or RGBA layout.
public struct PixelBuffer: Sendable, Equatable {
    /// Channel layout of a ``PixelBuffer``.
    public enum Layout: Int, Sendable {
        /// Three bytes per pixel: red, green, blue.
        case rgb = 3
        /// Four bytes per pixel: red, green, blue, straight (non-premultiplied) alpha.
        case rgba = 4

        /// Number of bytes per pixel.
        public var bytesPerPixel: Int { rawValue }
    }

    /// Width in pixels (at least 1).
    public let width: Int
    /// Height in pixels (at least 1).
    public let height: Int
    /// Channel layout.
    public let layout: Layout
    /// Pixel bytes, `width * height * layout.bytesPerPixel` long, rows stored top to bottom.
    public var pixels: [UInt8]

    /// Creates a buffer filled with one colour.
    /// - Parameters:
    ///   - width: Width in pixels; clamped to at least 1.
    ///   - height: Height in pixels; clamped to at least 1.
    ///   - layout: RGB or RGBA.
    ///   - fill: Per-channel fill value (alpha included for RGBA).
    public init(width: Int, height: Int, layout: Layout = .rgb, fill: UInt8 = 0) {
        self.width = max(1, width)
        self.height = max(1, height)
        self.layout = layout
        self.pixels = [UInt8](repeating: fill, count: self.width * self.height * layout.bytesPerPixel)
    }

    /// Creates a buffer from existing bytes; returns nil when the byte count does not match.
    public init?(width: Int, height: Int, layout: Layout, pixels: [UInt8]) {
        guard width > 0, height > 0,
              pixels.count == width * height * layout.bytesPerPixel else { return nil }
        self.width = width
        self.height = height
        self.layout = layout
        self.pixels = pixels
    }

    /// Number of bytes per pixel.
    public var bytesPerPixel: Int { layout.bytesPerPixel }

    /// Number of bytes per row.
    public var rowStride: Int { width * layout.bytesPerPixel }

    /// Whether the buffer carries an alpha channel.
    public var hasAlpha: Bool { layout == .rgba }

    /// Reads the pixel at (`x`, `y`); alpha is 255 for RGB buffers. Coordinates must be in range.
    public func pixel(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8, a: UInt8) {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel out of range")
        let i = (y * width + x) * bytesPerPixel
        return (pixels[i], pixels[i + 1], pixels[i + 2], hasAlpha ? pixels[i + 3] : 255)
    }

    /// Writes the pixel at (`x`, `y`); out-of-range coordinates are ignored. Alpha is dropped for RGB buffers.
    public mutating func setPixel(x: Int, y: Int, r: UInt8, g: UInt8, b: UInt8, a: UInt8 = 255) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let i = (y * width + x) * bytesPerPixel
        pixels[i] = r
        pixels[i + 1] = g
        pixels[i + 2] = b
        if hasAlpha { pixels[i + 3] = a }
    }
}
