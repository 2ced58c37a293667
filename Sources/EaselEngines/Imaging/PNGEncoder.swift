import CZlib

/// Encodes a ``PixelBuffer`` as an 8-bit truecolour (RGB) or truecolour-with-alpha (RGBA) PNG.
///
/// Each row is filtered with whichever of None, Sub or Up gives the smallest sum of absolute
/// residuals (the classic libpng heuristic), then the whole image is deflated with zlib into a
/// single IDAT chunk.
public enum PNGEncoder {
    /// The eight-byte PNG file signature.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Encodes `buffer` as a PNG file.
    /// - Parameters:
    ///   - buffer: Source pixels; RGBA buffers produce colour type 6, RGB buffers colour type 2.
    ///   - compressionLevel: zlib level 0–9 (clamped); 6 balances speed and size.
    /// - Returns: The complete PNG file bytes.
    public static func encode(_ buffer: PixelBuffer, compressionLevel: Int = 6) -> [UInt8] {
        let filtered = filterRows(buffer)
        let idat = zlibCompress(filtered, level: Int32(min(9, max(0, compressionLevel))))

        var out: [UInt8] = []
        out.reserveCapacity(idat.count + 64)
        out.append(contentsOf: signature)

        var ihdr: [UInt8] = []
        ihdr.reserveCapacity(13)
        appendBE32(&ihdr, UInt32(buffer.width))
        appendBE32(&ihdr, UInt32(buffer.height))
        // bit depth 8, colour type 6 (RGBA) or 2 (RGB), deflate, adaptive filtering, no interlace
        ihdr.append(contentsOf: [8, buffer.hasAlpha ? 6 : 2, 0, 0, 0])
        appendChunk(&out, type: "IHDR", data: ihdr)
        appendChunk(&out, type: "IDAT", data: idat)
        appendChunk(&out, type: "IEND", data: [])
        return out
    }

    /// Produces the filtered scanline stream: one filter-type byte followed by the row residuals.
    static func filterRows(_ buffer: PixelBuffer) -> [UInt8] {
        let bpp = buffer.bytesPerPixel
        let stride = buffer.rowStride
        var filtered = [UInt8](repeating: 0, count: (stride + 1) * buffer.height)
        // The row above the first one is defined as all zeros.
        let zeroRow = [UInt8](repeating: 0, count: stride)
        zeroRow.withUnsafeBufferPointer { zeroBuf in
            buffer.pixels.withUnsafeBufferPointer { srcBuf in
                filtered.withUnsafeMutableBufferPointer { dstBuf in
                    guard let src = srcBuf.baseAddress, let dst = dstBuf.baseAddress,
                          let zero = zeroBuf.baseAddress else { return }
                    for y in 0..<buffer.height {
                        let row = src + y * stride
                        filterRow(row, above: y > 0 ? row - stride : zero,
                                  into: dst + y * (stride + 1), stride: stride, bpp: bpp)
                    }
                }
            }
        }
        return filtered
    }

    /// Filters one row into `out` (filter byte + `stride` residual bytes).
    private static func filterRow(_ row: UnsafePointer<UInt8>, above prev: UnsafePointer<UInt8>,
                                  into out: UnsafeMutablePointer<UInt8>, stride: Int, bpp: Int) {
        // Residuals are scored as signed bytes on every fifth byte (coprime with 3 and 4, so every
        // channel is sampled): choosing from a sample is nearly as good and keeps debug builds fast.
        var sumNone = 0, sumSub = 0, sumUp = 0
        var i = 0
        while i < stride {
            let v = Int(row[i])
            let left = i >= bpp ? Int(row[i - bpp]) : 0
            sumNone += v < 128 ? v : 256 - v
            let s = (v - left) & 0xFF
            sumSub += s < 128 ? s : 256 - s
            let u = (v - Int(prev[i])) & 0xFF
            sumUp += u < 128 ? u : 256 - u
            i += 5
        }
        let filterType: UInt8 = sumSub <= sumUp
            ? (sumSub < sumNone ? 1 : 0)
            : (sumUp < sumNone ? 2 : 0)
        out[0] = filterType
        let body = out + 1
        i = 0
        switch filterType {
        case 1:
            body.update(from: row, count: bpp < stride ? bpp : stride)
            i = bpp
            while i < stride { body[i] = row[i] &- row[i - bpp]; i += 1 }
        case 2:
            while i < stride { body[i] = row[i] &- prev[i]; i += 1 }
        default:
            body.update(from: row, count: stride)
        }
    }

    /// Wraps `data` in a zlib stream; falls back to stored (uncompressed) deflate blocks if zlib fails.
    static func zlibCompress(_ data: [UInt8], level: Int32) -> [UInt8] {
        var input = data
        let result: [UInt8]? = input.withUnsafeMutableBufferPointer { inBuf -> [UInt8]? in
            var stream = z_stream()
            guard deflateInit_(&stream, level, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                return nil
            }
            defer { deflateEnd(&stream) }
            let bound = Int(deflateBound(&stream, uLong(inBuf.count)))
            var output = [UInt8](repeating: 0, count: bound)
            let status: Int32 = output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = inBuf.baseAddress
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                return deflate(&stream, Z_FINISH)
            }
            guard status == Z_STREAM_END else { return nil }
            output.removeSubrange(Int(stream.total_out)...)
            return output
        }
        return result ?? storedZlib(data)
    }

    /// A valid zlib stream made of stored deflate blocks (RFC 1950/1951), used only as a fallback.
    static func storedZlib(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        out.reserveCapacity(data.count + data.count / 65535 * 5 + 16)
        var offset = 0
        repeat {
            let n = min(65535, data.count - offset)
            let final: UInt8 = offset + n >= data.count ? 1 : 0
            out.append(final)
            out.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)])
            out.append(contentsOf: data[offset..<(offset + n)])
            offset += n
        } while offset < data.count
        let adler = data.withUnsafeBufferPointer { adler32(adler32(0, nil, 0), $0.baseAddress, uInt($0.count)) }
        appendBE32(&out, UInt32(truncatingIfNeeded: adler))
        return out
    }

    /// Appends a chunk: length, type, data and the CRC-32 of type + data.
    static func appendChunk(_ out: inout [UInt8], type: String, data: [UInt8]) {
        let typeBytes = Array(type.utf8)
        appendBE32(&out, UInt32(data.count))
        out.append(contentsOf: typeBytes)
        out.append(contentsOf: data)
        var crc = typeBytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        crc = data.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) }
        appendBE32(&out, UInt32(truncatingIfNeeded: crc))
    }

    static func appendBE32(_ out: inout [UInt8], _ v: UInt32) {
        out.append(UInt8(v >> 24))
        out.append(UInt8((v >> 16) & 0xFF))
        out.append(UInt8((v >> 8) & 0xFF))
        out.append(UInt8(v & 0xFF))
    }
}
