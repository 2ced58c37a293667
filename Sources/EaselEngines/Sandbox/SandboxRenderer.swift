import Crypto

/// An encoded image file together with its format and dimensions.
public struct EncodedImage: Sendable, Equatable {
    /// The complete file bytes.
    public let bytes: [UInt8]
    /// Format and pixel size of `bytes`.
    public let info: ImageInfo

    /// Wraps already-encoded bytes.
    public init(bytes: [UInt8], info: ImageInfo) {
        self.bytes = bytes
        self.info = info
    }
}

/// Renders the offline "sandbox" engine's pictures: deterministic procedural abstract art.
///
/// The scene (a four-corner gradient, soft discs and soft diagonal bands) is derived from the
/// SHA-256 of the prompt, seed and image index, so identical inputs give byte-identical files and
/// any change gives a different picture. A small "SANDBOX" label in the bottom-right corner makes
/// clear the result is not real model output. Pixels are computed row by row in fixed point, so
/// even unoptimised builds stay fast.
public struct SandboxRenderer: Sendable {
    /// Largest width or height rendered; larger requests are clamped.
    public static let maxDimension = 4096

    /// Creates a renderer. It holds no state.
    public init() {}

    /// Renders and encodes one image.
    /// - Parameters:
    ///   - prompt: Text the picture is derived from.
    ///   - seed: Generation seed; different seeds give different pictures.
    ///   - index: Position of the image within a batch; different indices give different pictures.
    ///   - width: Width in pixels, clamped to `1...maxDimension`.
    ///   - height: Height in pixels, clamped to `1...maxDimension`.
    ///   - format: `.png` or `.jpeg`; `.webp` is not produced and falls back to PNG.
    ///   - transparentBackground: For PNG, leave the background transparent (RGBA output).
    ///     Ignored for JPEG, which has no alpha channel.
    /// - Returns: The encoded file and its actual format and size.
    public func render(prompt: String, seed: Int64, index: Int, width: Int, height: Int,
                       format: ImageFormat, transparentBackground: Bool = false) -> EncodedImage {
        let w = min(max(width, 1), Self.maxDimension)
        let h = min(max(height, 1), Self.maxDimension)
        let outputFormat: ImageFormat = format == .jpeg ? .jpeg : .png
        let pixels = renderPixels(prompt: prompt, seed: seed, index: index, width: w, height: h,
                                  transparent: transparentBackground && outputFormat == .png)
        let bytes = outputFormat == .jpeg ? JPEGEncoder(quality: 90).encode(pixels) : PNGEncoder.encode(pixels)
        return EncodedImage(bytes: bytes, info: ImageInfo(format: outputFormat, width: w, height: h))
    }

    /// Renders the raw pixels (RGBA when `transparent`, otherwise RGB).
    func renderPixels(prompt: String, seed: Int64, index: Int, width: Int, height: Int,
                      transparent: Bool) -> PixelBuffer {
        var rng = SandboxRandom(digest: Self.digest(prompt: prompt, seed: seed, index: index))
        let scene = SandboxScene(width: width, height: height, rng: &rng)
        var buffer = PixelBuffer(width: width, height: height, layout: transparent ? .rgba : .rgb)
        let row = UnsafeMutablePointer<Int>.allocate(capacity: width * 4)
        defer { row.deallocate() }
        let bpp = buffer.bytesPerPixel
        buffer.pixels.withUnsafeMutableBufferPointer { out in
            guard let base = out.baseAddress else { return }
            for y in 0..<height {
                scene.renderRow(y, into: row, transparent: transparent)
                Self.store(row, into: base + y * width * bpp, width: width, transparent: transparent)
            }
        }
        return buffer
    }

    /// Converts one row of 8.8 fixed-point channels to bytes, un-premultiplying if transparent.
    private static func store(_ row: UnsafeMutablePointer<Int>, into out: UnsafeMutablePointer<UInt8>,
                              width: Int, transparent: Bool) {
        var x = 0
        while x < width {
            let p = row + x * 4
            // Blending only interpolates between values in 0...65280, so channels never leave
            // that range; explicit comparisons instead of generic min/max keep debug builds fast.
            if transparent {
                let a = p[3]
                let o = out + x * 4
                if a <= 0 {
                    o[0] = 0; o[1] = 0; o[2] = 0; o[3] = 0
                } else {
                    // Premultiplied colour can exceed alpha by a rounding step; clamp after dividing.
                    let r = p[0] * 255 / a, g = p[1] * 255 / a, b = p[2] * 255 / a
                    o[0] = UInt8(r > 255 ? 255 : r < 0 ? 0 : r)
                    o[1] = UInt8(g > 255 ? 255 : g < 0 ? 0 : g)
                    o[2] = UInt8(b > 255 ? 255 : b < 0 ? 0 : b)
                    o[3] = UInt8(truncatingIfNeeded: (a + 128) >> 8)
                }
            } else {
                let o = out + x * 3
                o[0] = UInt8(truncatingIfNeeded: (p[0] + 128) >> 8)
                o[1] = UInt8(truncatingIfNeeded: (p[1] + 128) >> 8)
                o[2] = UInt8(truncatingIfNeeded: (p[2] + 128) >> 8)
            }
            x += 1
        }
    }

    /// SHA-256 over a versioned, length-prefixed encoding of the inputs.
    static func digest(prompt: String, seed: Int64, index: Int) -> [UInt8] {
        var hasher = SHA256()
        let promptBytes = Array(prompt.utf8)
        var fields: [UInt8] = Array("easel.sandbox.v1".utf8)
        for value in [UInt64(promptBytes.count), UInt64(bitPattern: seed), UInt64(bitPattern: Int64(index))] {
            for shift in stride(from: 0, to: 64, by: 8) { fields.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
        hasher.update(data: fields)
        hasher.update(data: promptBytes)
        return Array(hasher.finalize())
    }
}

/// xoshiro256** seeded from a 32-byte digest; only used to derive scene parameters.
struct SandboxRandom {
    private var s0, s1, s2, s3: UInt64

    init(digest: [UInt8]) {
        func word(_ i: Int) -> UInt64 {
            (0..<8).reduce(UInt64(0)) { acc, k in
                let idx = i * 8 + k
                return acc | (idx < digest.count ? UInt64(digest[idx]) : 0) << UInt64(8 * k)
            }
        }
        s0 = word(0); s1 = word(1); s2 = word(2); s3 = word(3)
        if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }  // all-zero state never advances
    }

    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in `range` (53-bit resolution).
    mutating func unit(_ range: ClosedRange<Double> = 0...1) -> Double {
        range.lowerBound + Double(next() >> 11) / Double(1 << 53) * (range.upperBound - range.lowerBound)
    }

    /// Uniform integer in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}

/// Scene parameters in integer fixed point. Colours are 8.8 fixed point (0...65280); falloff
/// factors are 16-bit fractions computed with a precomputed reciprocal instead of a division.
struct SandboxScene: Sendable {
    /// A soft disc (or, for bands, a soft stripe) whose opacity falls off as (1 - d²/r²)².
    struct Shape: Sendable {
        var cx = 0, cy = 0, ux = 0, uy = 0, center = 0  // disc centre, or band normal and offset
        var r2 = 1, inv = 0, opacity = 0
        var red = 0, green = 0, blue = 0

        mutating func setColor(_ rgb: [Int]) {
            (red, green, blue) = (rgb[0], rgb[1], rgb[2])
        }
    }

    let width, height: Int
    let corners: [[Int]]  // top-left, top-right, bottom-left, bottom-right
    let discs: [Shape]
    let bands: [Shape]
    let scale, plateX, plateY, plateW, plateH, pad: Int

    /// 5×7 glyphs for "SANDBOX", one 5-bit row mask per line, most significant bit leftmost.
    static let label: [[Int]] = [
        [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E], [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        [0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x11], [0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E],
        [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E], [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
    ]

    init(width: Int, height: Int, rng: inout SandboxRandom) {
        self.width = width
        self.height = height
        let baseHue = rng.unit()
        let schemes: [[Double]] = [[0, 0.06, 0.12, 0.5], [0, 0.33, 0.67, 0.15],
                                   [0, 0.45, 0.55, 0.08], [0, 0.1, 0.2, 0.3]]
        let hues = schemes[rng.int(0...3)].map { baseHue + $0 }
        // One dark, two mid and one light corner, rotated, so every gradient has some contrast.
        let brightness: [ClosedRange<Double>] = [0.2...0.45, 0.5...0.8, 0.75...0.95, 0.5...0.8]
        let rotation = rng.int(0...3)
        corners = (0..<4).map { i in
            Self.hsv(hues[i] + rng.unit(-0.03...0.03), rng.unit(0.35...0.75), rng.unit(brightness[(i + rotation) % 4]))
        }
        let size = Double(width * height).squareRoot()
        discs = (0..<rng.int(3...6)).map { _ in
            var s = Shape()
            s.cx = Int(rng.unit(-0.15...1.15) * Double(width))
            s.cy = Int(rng.unit(-0.15...1.15) * Double(height))
            let r = max(2, Int(rng.unit(0.15...0.5) * size))
            s.r2 = r * r
            s.inv = (1 << 56) / s.r2
            s.opacity = Int(rng.unit(0.45...0.9) * 256)
            s.setColor(Self.hsv(hues[rng.int(0...3)] + rng.unit(-0.04...0.04), rng.unit(0.5...0.95), rng.unit(0.6...1)))
            return s
        }
        let directions = [(256, 0), (237, 98), (181, 181), (98, 237), (0, 256), (-98, 237), (-181, 181), (-237, 98)]
        bands = (0..<rng.int(1...2)).map { _ in
            var s = Shape()
            (s.ux, s.uy) = directions[rng.int(0...7)]
            s.center = s.ux * Int(rng.unit() * Double(width)) + s.uy * Int(rng.unit() * Double(height))
            let half = max(256, Int(rng.unit(0.03...0.1) * size * 256))
            s.r2 = half * half
            s.inv = (1 << 56) / s.r2
            s.opacity = Int(rng.unit(0.2...0.45) * 256)
            s.setColor(Self.hsv(hues[rng.int(0...3)], rng.unit(0.2...0.6), rng.unit(0.85...1)))
            return s
        }
        scale = max(1, min(width, height) / 320)
        pad = 2 * scale
        plateW = (Self.label.count * 6 - 1) * scale + 2 * pad
        plateH = 7 * scale + 2 * pad
        plateX = width - pad - plateW
        plateY = height - pad - plateH
    }

    /// Fills `row` (4 channels per pixel, 8.8 fixed point, premultiplied when transparent).
    func renderRow(_ y: Int, into row: UnsafeMutablePointer<Int>, transparent: Bool) {
        if transparent {
            row.update(repeating: 0, count: width * 4)
        } else {
            fillGradient(y, into: row)
        }
        // Both shapes are "opacity grows with r² − q(x)" where q(x) = (slope·x + offset)² + base.
        for d in discs {
            let dy2 = (y - d.cy) * (y - d.cy)
            guard dy2 < d.r2 else { continue }
            let half = Int(Double(d.r2 - dy2).squareRoot()) + 1
            shadeSpan(row, from: d.cx - half, to: d.cx + half, d, slope: 1, offset: -d.cx, base: dy2, transparent)
        }
        for b in bands {
            let offset = b.uy * y - b.center
            if b.ux == 0 {
                if offset * offset < b.r2 {
                    shadeSpan(row, from: 0, to: width - 1, b, slope: 0, offset: offset, base: 0, transparent)
                }
            } else {
                // Solve |ux·x + offset| < half for x, widened by one pixel against rounding.
                let half = Int(Double(b.r2).squareRoot())
                let lo = (-half - offset) / b.ux, hi = (half - offset) / b.ux
                shadeSpan(row, from: (lo < hi ? lo : hi) - 1, to: (lo < hi ? hi : lo) + 1, b,
                          slope: b.ux, offset: offset, base: 0, transparent)
            }
        }
        drawLabel(y, into: row, transparent)
    }

    private func fillGradient(_ y: Int, into row: UnsafeMutablePointer<Int>) {
        let ty = height > 1 ? (y << 16) / (height - 1) : 0
        var acc = [0, 0, 0], step = [0, 0, 0]
        for c in 0..<3 {
            let left = corners[0][c] + (((corners[2][c] - corners[0][c]) * ty) >> 16)
            let right = corners[1][c] + (((corners[3][c] - corners[1][c]) * ty) >> 16)
            acc[c] = left << 16
            step[c] = width > 1 ? ((right - left) << 16) / (width - 1) : 0
        }
        var r = acc[0], g = acc[1], b = acc[2]
        let dr = step[0], dg = step[1], db = step[2]
        var x = 0
        while x < width {
            let p = row + x * 4
            p[0] = r >> 16; p[1] = g >> 16; p[2] = b >> 16; p[3] = 65280
            r += dr; g += dg; b += db
            x += 1
        }
    }

    /// Blends `shape` over pixels `from...to` (clipped) with opacity (f/r²)²·shape.opacity,
    /// where f = r² − (slope·x + offset)² − base. Written out inline because this is the hot loop.
    private func shadeSpan(_ row: UnsafeMutablePointer<Int>, from: Int, to: Int, _ shape: Shape,
                           slope: Int, offset: Int, base: Int, _ transparent: Bool) {
        var x = from > 0 ? from : 0
        let end = to < width - 1 ? to : width - 1
        let r2 = shape.r2, inv = shape.inv, opacity = shape.opacity
        let red = shape.red, green = shape.green, blue = shape.blue
        while x <= end {
            let q = slope * x + offset
            let falloff = r2 - q * q - base
            if falloff > 0 {
                let t = (falloff * inv) >> 40  // 0...65536
                let a = (((t * t) >> 16) * opacity) >> 16  // 0...256
                let p = row + x * 4
                p[0] += ((red - p[0]) * a) >> 8
                p[1] += ((green - p[1]) * a) >> 8
                p[2] += ((blue - p[2]) * a) >> 8
                if transparent { p[3] += ((65280 - p[3]) * a) >> 8 }
            }
            x += 1
        }
    }

    /// Source-over with straight source colour; correct for premultiplied destinations too.
    private func mix(_ p: UnsafeMutablePointer<Int>, _ r: Int, _ g: Int, _ b: Int, _ a: Int, _ transparent: Bool) {
        p[0] += ((r - p[0]) * a) >> 8
        p[1] += ((g - p[1]) * a) >> 8
        p[2] += ((b - p[2]) * a) >> 8
        if transparent { p[3] += ((65280 - p[3]) * a) >> 8 }
    }

    private func drawLabel(_ y: Int, into row: UnsafeMutablePointer<Int>, _ transparent: Bool) {
        guard y >= plateY, y < plateY + plateH else { return }
        var x = max(0, plateX)
        let plateEnd = min(width, plateX + plateW)
        while x < plateEnd {
            mix(row + x * 4, 18 << 8, 18 << 8, 22 << 8, 176, transparent)
            x += 1
        }
        let glyphRow = (y - plateY - pad) / scale
        guard y >= plateY + pad, glyphRow < 7 else { return }
        for (i, glyph) in Self.label.enumerated() {
            for col in 0..<5 where glyph[glyphRow] & (0x10 >> col) != 0 {
                let left = plateX + pad + (i * 6 + col) * scale
                var x = max(0, left)
                let end = min(width, left + scale)
                while x < end {
                    mix(row + x * 4, 245 << 8, 245 << 8, 245 << 8, 256, transparent)
                    x += 1
                }
            }
        }
    }

    /// HSV (hue wraps) to 8.8 fixed-point RGB, using only exact arithmetic so results are portable.
    static func hsv(_ hue: Double, _ s: Double, _ v: Double) -> [Int] {
        let h = (hue - hue.rounded(.down)) * 6
        let sector = min(5, Int(h)), f = h - Double(sector)
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        let rgb: (Double, Double, Double) = switch sector {
        case 0: (v, t, p)
        case 1: (q, v, p)
        case 2: (p, v, t)
        case 3: (p, q, v)
        case 4: (t, p, v)
        default: (v, p, q)
        }
        return [rgb.0, rgb.1, rgb.2].map { Int(($0 * 255).rounded()) << 8 }
    }
}
