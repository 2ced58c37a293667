import EaselMacros

/// Raster formats Easel accepts as input and/or produces.
public enum ImageFormat: String, Sendable, CaseIterable {
    /// Portable Network Graphics.
    case png
    /// JPEG / JFIF.
    case jpeg
    /// WebP (lossy VP8, lossless VP8L or extended VP8X).
    case webp

    /// Conventional file extension without the dot: `png`, `jpg`, `webp`.
    public var fileExtension: String {
        switch self {
        case .png: "png"
        case .jpeg: "jpg"
        case .webp: "webp"
        }
    }

    /// MIME type: `image/png`, `image/jpeg`, `image/webp`.
    public var contentType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .webp: "image/webp"
        }
    }
}

/// Format and pixel dimensions of an encoded image, as read from its header.
@MemberwiseInit
public struct ImageInfo: Sendable, Equatable {
    /// Container / codec format.
    public let format: ImageFormat
    /// Width in pixels (always positive).
    public let width: Int
    /// Height in pixels (always positive).
    public let height: Int
}

/// Identifies PNG, JPEG and WebP files and reads their dimensions from the headers alone.
///
/// Nothing is decoded; every read is bounds-checked, so truncated or hostile input yields `nil`
/// rather than a crash. A non-nil result only means the header is plausible, not that the
/// whole file decodes.
public enum ImageProbe {
    /// Returns the format and dimensions of `bytes`, or `nil` if they are not a recognisable
    /// PNG, JPEG or WebP header (or the header reports a zero size).
    public static func inspect(_ bytes: [UInt8]) -> ImageInfo? {
        let reader = ByteReader(bytes: bytes)
        if bytes.starts(with: PNGEncoder.signature) { return png(reader) }
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF { return jpeg(reader) }
        if reader.ascii(0, 4) == "RIFF", reader.ascii(8, 4) == "WEBP" { return webp(reader) }
        return nil
    }

    private static func png(_ r: ByteReader) -> ImageInfo? {
        // The IHDR chunk must come first: length 13, then width and height (big-endian).
        guard r.be32(8) == 13, r.ascii(12, 4) == "IHDR",
              let w = r.be32(16), let h = r.be32(20) else { return nil }
        return make(.png, w, h, max: 0x7FFF_FFFF)
    }

    private static func jpeg(_ r: ByteReader) -> ImageInfo? {
        var pos = 2
        // Each iteration consumes one marker; the position strictly increases, so this terminates.
        while true {
            guard r.u8(pos) == 0xFF else { return nil }
            // Any number of 0xFF fill bytes may precede a marker code.
            while r.u8(pos) == 0xFF { pos += 1 }
            guard let marker = r.u8(pos) else { return nil }
            pos += 1
            switch marker {
            case 0x01, 0xD0...0xD7:
                continue  // standalone markers without a length field
            case 0xD8, 0xD9, 0xDA:
                return nil  // SOI again, EOI or start of scan before any frame header
            case 0xC0...0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF:
                // SOFn: length(2) precision(1) height(2) width(2)
                guard let length = r.be16(pos), length >= 8,
                      let h = r.be16(pos + 3), let w = r.be16(pos + 5) else { return nil }
                return make(.jpeg, w, h, max: 0xFFFF)
            default:
                guard let length = r.be16(pos), length >= 2 else { return nil }
                pos += length
            }
        }
    }

    private static func webp(_ r: ByteReader) -> ImageInfo? {
        guard let chunk = r.ascii(12, 4), let size = r.le32(16) else { return nil }
        let data = 20
        switch chunk {
        case "VP8 ":
            // Frame tag (3 bytes, bit 0 clear on key frames), start code 9D 01 2A, 14-bit sizes.
            guard size >= 10, let tag = r.u8(data), tag & 1 == 0,
                  r.u8(data + 3) == 0x9D, r.u8(data + 4) == 0x01, r.u8(data + 5) == 0x2A,
                  let w = r.le16(data + 6), let h = r.le16(data + 8) else { return nil }
            return make(.webp, w & 0x3FFF, h & 0x3FFF, max: 0x3FFF)
        case "VP8L":
            // Signature 0x2F, then width-1 and height-1 packed as 14-bit little-endian fields.
            guard size >= 5, r.u8(data) == 0x2F, let bits = r.le32(data + 1) else { return nil }
            return make(.webp, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, max: 0x4000)
        case "VP8X":
            // Flags(1) reserved(3), then canvas width-1 and height-1 as 24-bit little-endian.
            guard size >= 10, let w = r.le24(data + 4), let h = r.le24(data + 7) else { return nil }
            return make(.webp, w + 1, h + 1, max: 0x100_0000)
        default:
            return nil
        }
    }

    private static func make(_ format: ImageFormat, _ w: Int, _ h: Int, max limit: Int) -> ImageInfo? {
        guard w > 0, h > 0, w <= limit, h <= limit else { return nil }
        return ImageInfo(format: format, width: w, height: h)
    }
}

/// Bounds-checked big/little-endian reads; every accessor returns `nil` instead of trapping.
private struct ByteReader {
    let bytes: [UInt8]

    func u8(_ i: Int) -> Int? {
        i >= 0 && i < bytes.count ? Int(bytes[i]) : nil
    }

    private func has(_ i: Int, _ n: Int) -> Bool {
        i >= 0 && n >= 0 && i <= bytes.count - n
    }

    func be16(_ i: Int) -> Int? {
        has(i, 2) ? Int(bytes[i]) << 8 | Int(bytes[i + 1]) : nil
    }

    func be32(_ i: Int) -> Int? {
        guard has(i, 4) else { return nil }
        return Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
    }

    func le16(_ i: Int) -> Int? {
        has(i, 2) ? Int(bytes[i]) | Int(bytes[i + 1]) << 8 : nil
    }

    func le24(_ i: Int) -> Int? {
        has(i, 3) ? Int(bytes[i]) | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) << 16 : nil
    }

    func le32(_ i: Int) -> Int? {
        guard has(i, 4) else { return nil }
        return Int(bytes[i]) | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) << 16 | Int(bytes[i + 3]) << 24
    }

    /// Four-or-fewer ASCII bytes as a string, used for chunk tags.
    func ascii(_ i: Int, _ n: Int) -> String? {
        guard has(i, n) else { return nil }
        return String(decoding: bytes[i..<(i + n)], as: UTF8.self)
    }
}
