import Crypto
import EaselMacros

/// An encoded image file together with its format and dimensions.
@MemberwiseInit
public struct EncodedImage: Sendable, Equatable {
    /// The complete file bytes.
    public let bytes: [UInt8]
    /// Format and pixel size of `bytes`.
    public let info: ImageInfo
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
