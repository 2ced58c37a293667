/// A baseline (sequential, Huffman) JFIF encoder with the standard Annex K tables.
///
/// Colour is converted to YCbCr with the JFIF (BT.601 full-range) matrix, chroma optionally
/// subsampled 2×2, and blocks transformed with the floating-point AAN DCT. Alpha, if present, is
/// composited over white because JPEG has no transparency.
public struct JPEGEncoder: Sendable {
    /// Chroma sampling layout.
    public enum Subsampling: Sendable {
        /// Chroma at half resolution in both directions (smaller files; the usual choice).
        case yuv420
        /// Chroma at full resolution.
        case yuv444
    }

    /// Quality 1–100 used to scale the quantisation tables.
    public let quality: Int
    /// Chroma sampling layout.
    public let subsampling: Subsampling
    private let lumaQuant: [UInt8]  // natural (row-major) order
    private let chromaQuant: [UInt8]
    private let lumaDivisors: [Float]  // zig-zag order, folded with the AAN output scaling
    private let chromaDivisors: [Float]

    /// Creates an encoder; `quality` is clamped to 1...100.
    public init(quality: Int = 90, subsampling: Subsampling = .yuv420) {
        self.quality = min(100, max(1, quality))
        self.subsampling = subsampling
        lumaQuant = Self.scaled(JPEGTables.lumaQuant, quality: self.quality)
        chromaQuant = Self.scaled(JPEGTables.chromaQuant, quality: self.quality)
        lumaDivisors = Self.divisors(lumaQuant)
        chromaDivisors = Self.divisors(chromaQuant)
    }

    /// Encodes `buffer` with default settings (quality 90, 4:2:0).
    public static func encode(_ buffer: PixelBuffer, quality: Int = 90) -> [UInt8] {
        JPEGEncoder(quality: quality).encode(buffer)
    }

    /// Encodes `buffer` as a JFIF file. Dimensions above 65535 are not representable and trap.
    public func encode(_ buffer: PixelBuffer) -> [UInt8] {
        precondition(buffer.width <= 0xFFFF && buffer.height <= 0xFFFF, "JPEG dimensions exceed 65535")
        var out = JPEGBitWriter()
        out.bytes.reserveCapacity(buffer.width * buffer.height / 4 + 1024)
        writeHeaders(&out, width: buffer.width, height: buffer.height)
        encodeScan(buffer, into: &out)
        out.flush()
        out.bytes.append(contentsOf: [0xFF, 0xD9])
        return out.bytes
    }

    // MARK: - Headers

    private func writeHeaders(_ out: inout JPEGBitWriter, width: Int, height: Int) {
        out.bytes.append(contentsOf: [0xFF, 0xD8])
        // APP0 JFIF 1.01, no density units, 1:1 aspect.
        out.bytes.append(contentsOf: [0xFF, 0xE0, 0, 16, 0x4A, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0])
        out.bytes.append(contentsOf: [0xFF, 0xDB, 0, 132, 0])
        out.bytes.append(contentsOf: JPEGTables.zigzag.map { lumaQuant[$0] })
        out.bytes.append(1)
        out.bytes.append(contentsOf: JPEGTables.zigzag.map { chromaQuant[$0] })
        let lumaSampling: UInt8 = subsampling == .yuv420 ? 0x22 : 0x11
        out.bytes.append(contentsOf: [0xFF, 0xC0, 0, 17, 8,
                                      UInt8(height >> 8), UInt8(height & 0xFF),
                                      UInt8(width >> 8), UInt8(width & 0xFF), 3,
                                      1, lumaSampling, 0, 2, 0x11, 1, 3, 0x11, 1])
        let specs = [(0x00, JPEGTables.dcLuma), (0x10, JPEGTables.acLuma),
                     (0x01, JPEGTables.dcChroma), (0x11, JPEGTables.acChroma)]
        let length = 2 + specs.reduce(0) { $0 + 17 + $1.1.values.count }
        out.bytes.append(contentsOf: [0xFF, 0xC4, UInt8(length >> 8), UInt8(length & 0xFF)])
        for (id, spec) in specs {
            out.bytes.append(UInt8(id))
            out.bytes.append(contentsOf: spec.counts)
            out.bytes.append(contentsOf: spec.values)
        }
        out.bytes.append(contentsOf: [0xFF, 0xDA, 0, 12, 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0])
    }

    // MARK: - Scan

    private func encodeScan(_ buffer: PixelBuffer, into out: inout JPEGBitWriter) {
        let mcuSize = subsampling == .yuv420 ? 16 : 8
        let paddedW = (buffer.width + mcuSize - 1) / mcuSize * mcuSize
        let chromaW = paddedW * 8 / mcuSize
        let blocksPerMCU = mcuSize == 16 ? 4 : 1
        // One MCU row of planes at a time keeps memory flat even for 4096² images.
        let work = JPEGWorkspace(stripWidth: paddedW, stripRows: mcuSize, chromaWidth: chromaW,
                                 lumaDivisors: lumaDivisors, chromaDivisors: chromaDivisors)
        defer { work.deallocate() }
        var dcY: Int32 = 0, dcCb: Int32 = 0, dcCr: Int32 = 0
        buffer.pixels.withUnsafeBufferPointer { pixels in
            guard let src = pixels.baseAddress else { return }
            var top = 0
            while top < buffer.height {
                JPEGColor.convertStrip(src, width: buffer.width, height: buffer.height,
                                       bpp: buffer.bytesPerPixel, top: top, rows: mcuSize,
                                       paddedWidth: paddedW, work: work)
                if mcuSize == 16 {
                    JPEGColor.downsample(work.cbFull, into: work.cb, width: chromaW)
                    JPEGColor.downsample(work.crFull, into: work.cr, width: chromaW)
                } else {
                    work.cb.update(from: work.cbFull, count: paddedW * 8)
                    work.cr.update(from: work.crFull, count: paddedW * 8)
                }
                var mcuX = 0
                while mcuX < paddedW / mcuSize {
                    var b = 0
                    while b < blocksPerMCU {
                        let origin = work.y + (b >> 1) * 8 * paddedW + mcuX * mcuSize + (b & 1) * 8
                        dcY = work.encodeBlock(from: origin, stride: paddedW, chroma: false,
                                               previousDC: dcY, into: &out)
                        b += 1
                    }
                    dcCb = work.encodeBlock(from: work.cb + mcuX * 8, stride: chromaW, chroma: true,
                                            previousDC: dcCb, into: &out)
                    dcCr = work.encodeBlock(from: work.cr + mcuX * 8, stride: chromaW, chroma: true,
                                            previousDC: dcCr, into: &out)
                    mcuX += 1
                }
                top += mcuSize
            }
        }
    }

    // MARK: - Tables

    /// libjpeg's quality scaling of an Annex K base table.
    private static func scaled(_ base: [UInt8], quality: Int) -> [UInt8] {
        let scale = quality < 50 ? 5000 / quality : 200 - quality * 2
        return base.map { UInt8(min(255, max(1, (Int($0) * scale + 50) / 100))) }
    }

    /// Reciprocal quantisers in zig-zag order, including the AAN DCT's per-coefficient scale.
    private static func divisors(_ quant: [UInt8]) -> [Float] {
        JPEGTables.zigzag.map { natural in
            let row = natural / 8, col = natural % 8
            let aan = JPEGTables.aanScale[row] * JPEGTables.aanScale[col] * 8
            return Float(1.0 / (Double(quant[natural]) * aan))
        }
    }
}

/// Scratch planes and lookup tables for one `encode` call, held as raw pointers so the hot
/// loops stay fast in unoptimised (debug) builds. Never escapes `encodeScan`.
private struct JPEGWorkspace {
    let y, cbFull, crFull, cb, cr, block, divisors: UnsafeMutablePointer<Float>
    let coeffs: UnsafeMutablePointer<Int32>
    let zigzag: UnsafeMutablePointer<Int>
    /// Huffman tables (DC luma, AC luma, DC chroma, AC chroma), 256 entries each: `code << 8 | length`.
    let huffman: UnsafeMutablePointer<UInt32>

    init(stripWidth: Int, stripRows: Int, chromaWidth: Int, lumaDivisors: [Float], chromaDivisors: [Float]) {
        func floats(_ n: Int) -> UnsafeMutablePointer<Float> { .allocate(capacity: n) }
        y = floats(stripWidth * stripRows)
        cbFull = floats(stripWidth * stripRows)
        crFull = floats(stripWidth * stripRows)
        cb = floats(chromaWidth * 8)
        cr = floats(chromaWidth * 8)
        block = floats(64)
        divisors = floats(128)
        divisors.initialize(from: lumaDivisors + chromaDivisors, count: 128)
        coeffs = .allocate(capacity: 64)
        zigzag = .allocate(capacity: 64)
        zigzag.initialize(from: JPEGTables.zigzag, count: 64)
        huffman = .allocate(capacity: 1024)
        huffman.initialize(from: JPEGTables.dcLuma.codes + JPEGTables.acLuma.codes
                           + JPEGTables.dcChroma.codes + JPEGTables.acChroma.codes, count: 1024)
    }

    func deallocate() {
        for p in [y, cbFull, crFull, cb, cr, block, divisors] { p.deallocate() }
        coeffs.deallocate()
        zigzag.deallocate()
        huffman.deallocate()
    }

    /// Transforms, quantises and entropy-codes the 8×8 block at `origin`; returns its DC value.
    func encodeBlock(from origin: UnsafeMutablePointer<Float>, stride: Int, chroma: Bool,
                     previousDC: Int32, into out: inout JPEGBitWriter) -> Int32 {
        var r = 0
        while r < 8 {
            (block + r * 8).update(from: origin + r * stride, count: 8)
            r += 1
        }
        JPEGDCT.forward(block)
        let div = chroma ? divisors + 64 : divisors
        var k = 0
        while k < 64 {
            // Round half up without calling into libm: shift positive, truncate, shift back.
            coeffs[k] = Int32(block[zigzag[k]] * div[k] + 16384.5) - 16384
            k += 1
        }
        let dcTable = chroma ? huffman + 512 : huffman
        let acTable = dcTable + 256
        let dc = coeffs[0]
        Self.emit(dc - previousDC, run: 0, table: dcTable, into: &out)
        var run: Int32 = 0
        k = 1
        while k < 64 {
            let v = coeffs[k]
            if v == 0 {
                run += 1
            } else {
                while run > 15 {
                    out.put(acTable[0xF0])  // ZRL: sixteen zeros
                    run -= 16
                }
                Self.emit(v, run: run, table: acTable, into: &out)
                run = 0
            }
            k += 1
        }
        if run > 0 { out.put(acTable[0x00]) }  // EOB
        return dc
    }

    /// Writes the Huffman symbol `(run << 4) | size` followed by `size` magnitude bits.
    private static func emit(_ value: Int32, run: Int32, table: UnsafeMutablePointer<UInt32>,
                             into out: inout JPEGBitWriter) {
        let magnitude = value < 0 ? -value : value
        let size = 32 - magnitude.leadingZeroBitCount
        out.put(table[Int(run << 4) | size])
        if size > 0 {
            let bits = value < 0 ? value - 1 : value
            out.putBits(UInt32(bitPattern: bits) & ((1 << UInt32(size)) - 1), count: size)
        }
    }
}

/// MSB-first bit packer with JPEG 0xFF byte stuffing.
struct JPEGBitWriter {
    var bytes: [UInt8] = []
    private var accumulator: UInt32 = 0
    private var count = 0

    /// Writes a Huffman table entry (`code << 8 | length`).
    mutating func put(_ entry: UInt32) {
        putBits(entry >> 8, count: Int(entry & 0xFF))
    }

    mutating func putBits(_ bits: UInt32, count n: Int) {
        accumulator = (accumulator &<< UInt32(n)) | bits
        count += n
        while count >= 8 {
            count -= 8
            let byte = UInt8(truncatingIfNeeded: accumulator >> UInt32(count))
            bytes.append(byte)
            if byte == 0xFF { bytes.append(0) }
        }
        accumulator &= (1 &<< UInt32(count)) &- 1
    }

    /// Pads the final partial byte with one-bits, as the standard requires.
    mutating func flush() {
        if count > 0 { putBits((1 << UInt32(8 - count)) - 1, count: 8 - count) }
    }
}

/// Colour conversion and chroma subsampling into the workspace strips.
private enum JPEGColor {
    /// Converts `rows` source rows starting at `top` to level-shifted Y, Cb, Cr, replicating the
    /// last column/row into the padding.
    static func convertStrip(_ src: UnsafePointer<UInt8>, width: Int, height: Int, bpp: Int, top: Int,
                             rows: Int, paddedWidth: Int, work: JPEGWorkspace) {
        for r in 0..<rows {
            let row = src + min(top + r, height - 1) * width * bpp
            let yOut = work.y + r * paddedWidth
            let cbOut = work.cbFull + r * paddedWidth
            let crOut = work.crFull + r * paddedWidth
            var x = 0
            while x < paddedWidth {
                let p = row + (x < width ? x : width - 1) * bpp
                var red = Float(p[0]), green = Float(p[1]), blue = Float(p[2])
                if bpp == 4 {
                    // No alpha in JPEG: composite over white.
                    let a = Float(p[3]) * (1 / 255)
                    let white = 255 * (1 - a)
                    red = red * a + white
                    green = green * a + white
                    blue = blue * a + white
                }
                yOut[x] = 0.299 * red + 0.587 * green + 0.114 * blue - 128
                cbOut[x] = -0.168736 * red - 0.331264 * green + 0.5 * blue
                crOut[x] = 0.5 * red - 0.418688 * green - 0.081312 * blue
                x += 1
            }
        }
    }

    /// Averages 2×2 neighbourhoods of a 16-row strip of width `2 * width` into 8 rows of `width`.
    static func downsample(_ full: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>, width: Int) {
        let fullWidth = width * 2
        for r in 0..<8 {
            let a = full + 2 * r * fullWidth
            let b = a + fullWidth
            let o = out + r * width
            var x = 0
            while x < width {
                o[x] = (a[2 * x] + a[2 * x + 1] + b[2 * x] + b[2 * x + 1]) * 0.25
                x += 1
            }
        }
    }
}

/// Floating-point AAN forward DCT (as in libjpeg's jfdctflt.c); output is scaled by the
/// factors folded into the quantiser divisors.
private enum JPEGDCT {
    static func forward(_ d: UnsafeMutablePointer<Float>) {
        var i = 0
        while i < 8 {
            pass(d + i * 8, step: 1)
            i += 1
        }
        i = 0
        while i < 8 {
            pass(d + i, step: 8)
            i += 1
        }
    }

    private static func pass(_ p: UnsafeMutablePointer<Float>, step s: Int) {
        let tmp0 = p[0] + p[7 * s], tmp7 = p[0] - p[7 * s]
        let tmp1 = p[s] + p[6 * s], tmp6 = p[s] - p[6 * s]
        let tmp2 = p[2 * s] + p[5 * s], tmp5 = p[2 * s] - p[5 * s]
        let tmp3 = p[3 * s] + p[4 * s], tmp4 = p[3 * s] - p[4 * s]
        // Even part.
        let tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3
        let tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2
        p[0] = tmp10 + tmp11
        p[4 * s] = tmp10 - tmp11
        let z1 = (tmp12 + tmp13) * 0.707106781
        p[2 * s] = tmp13 + z1
        p[6 * s] = tmp13 - z1
        // Odd part.
        let o10 = tmp4 + tmp5, o11 = tmp5 + tmp6, o12 = tmp6 + tmp7
        let z5 = (o10 - o12) * 0.382683433
        let z2 = 0.541196100 * o10 + z5
        let z4 = 1.306562965 * o12 + z5
        let z3 = o11 * 0.707106781
        let z11 = tmp7 + z3, z13 = tmp7 - z3
        p[5 * s] = z13 + z2
        p[3 * s] = z13 - z2
        p[s] = z11 + z4
        p[7 * s] = z11 - z4
    }
}

/// ITU-T T.81 Annex K tables.
enum JPEGTables {
    /// Bit-length counts (16) and symbol values of a Huffman table, plus its derived codes.
    struct HuffmanSpec: Sendable {
        let counts: [UInt8]
        let values: [UInt8]
        /// 256 entries indexed by symbol: `code << 8 | length` (0 for unused symbols).
        let codes: [UInt32]

        init(counts: [UInt8], values: [UInt8]) {
            self.counts = counts
            self.values = values
            var codes = [UInt32](repeating: 0, count: 256)
            var code: UInt32 = 0, k = 0
            for length in 1...16 {
                for _ in 0..<Int(counts[length - 1]) {
                    codes[Int(values[k])] = code << 8 | UInt32(length)
                    code += 1
                    k += 1
                }
                code <<= 1
            }
            self.codes = codes
        }
    }

    /// Natural (row-major) index of each zig-zag position.
    static let zigzag: [Int] = [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
        12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ]

    /// AAN output scale factors: 1 for k = 0, otherwise cos(k·π/16)·√2.
    static let aanScale: [Double] = [
        1.0, 1.387039845, 1.306562965, 1.175875602, 1.0, 0.785694958, 0.541196100, 0.275899379,
    ]

    static let lumaQuant: [UInt8] = [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
        14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ]

    static let chromaQuant: [UInt8] = [
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
        24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
    ] + [UInt8](repeating: 99, count: 32)

    static let dcLuma = HuffmanSpec(counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
                                    values: Array(0...11))
    static let dcChroma = HuffmanSpec(counts: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
                                      values: Array(0...11))
    static let acLuma = HuffmanSpec(counts: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D], values: [
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
        0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xA1, 0x08, 0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52, 0xD1, 0xF0,
        0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0A, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x25, 0x26, 0x27, 0x28,
        0x29, 0x2A, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
        0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
        0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
        0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
        0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5,
        0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xE1, 0xE2,
        0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
        0xF9, 0xFA,
    ])
    static let acChroma = HuffmanSpec(counts: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77], values: [
        0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
        0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xA1, 0xB1, 0xC1, 0x09, 0x23, 0x33, 0x52, 0xF0,
        0x15, 0x62, 0x72, 0xD1, 0x0A, 0x16, 0x24, 0x34, 0xE1, 0x25, 0xF1, 0x17, 0x18, 0x19, 0x1A, 0x26,
        0x27, 0x28, 0x29, 0x2A, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
        0x49, 0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
        0x69, 0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
        0x88, 0x89, 0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5,
        0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3,
        0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA,
        0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
        0xF9, 0xFA,
    ])
}
