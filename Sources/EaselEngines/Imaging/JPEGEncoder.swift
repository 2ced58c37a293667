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
        lumaQuant = JPEGTables.scaled(JPEGTables.lumaQuant, quality: self.quality)
        chromaQuant = JPEGTables.scaled(JPEGTables.chromaQuant, quality: self.quality)
        lumaDivisors = JPEGTables.divisors(lumaQuant)
        chromaDivisors = JPEGTables.divisors(chromaQuant)
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
