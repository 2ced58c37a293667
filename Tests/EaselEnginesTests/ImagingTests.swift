import CZlib
import Testing
@testable import EaselEngines

/// A PNG chunk as parsed by the tests.
private struct Chunk {
    let type: String
    let data: [UInt8]
    let crcValid: Bool
}

private func be32(_ b: [UInt8], _ i: Int) -> Int {
    Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
}

/// Splits a PNG into chunks, checking each CRC with zlib.
private func chunks(_ png: [UInt8]) -> [Chunk] {
    var result: [Chunk] = []
    var pos = 8
    while pos + 12 <= png.count {
        let length = be32(png, pos)
        guard pos + 12 + length <= png.count else { break }
        let typeAndData = Array(png[(pos + 4)..<(pos + 8 + length)])
        let crc = typeAndData.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        result.append(Chunk(type: String(decoding: typeAndData[0..<4], as: UTF8.self),
                            data: Array(typeAndData[4...]),
                            crcValid: UInt32(crc) == UInt32(be32(png, pos + 8 + length))))
        pos += 12 + length
    }
    return result
}

private func inflate(_ data: [UInt8], expected: Int) -> [UInt8]? {
    var out = [UInt8](repeating: 0, count: expected + 16)
    var outLength = uLongf(out.count)
    let status = uncompress(&out, &outLength, data, uLong(data.count))
    guard status == Z_OK else { return nil }
    return Array(out[0..<Int(outLength)])
}

/// Reverses the None/Sub/Up filters the encoder uses.
private func unfilter(_ raw: [UInt8], stride: Int, height: Int, bpp: Int) -> [UInt8]? {
    var out = [UInt8](repeating: 0, count: stride * height)
    for y in 0..<height {
        let filter = raw[y * (stride + 1)]
        for i in 0..<stride {
            let v = raw[y * (stride + 1) + 1 + i]
            let left = i >= bpp ? out[y * stride + i - bpp] : 0
            let up = y > 0 ? out[(y - 1) * stride + i] : 0
            switch filter {
            case 0: out[y * stride + i] = v
            case 1: out[y * stride + i] = v &+ left
            case 2: out[y * stride + i] = v &+ up
            default: return nil
            }
        }
    }
    return out
}

/// Deterministic noisy test pattern, so every filter type gets exercised.
private func pattern(width: Int, height: Int, layout: PixelBuffer.Layout) -> PixelBuffer {
    var buffer = PixelBuffer(width: width, height: height, layout: layout)
    var state: UInt32 = 12345
    for y in 0..<height {
        for x in 0..<width {
            state = state &* 1_103_515_245 &+ 12345
            let noise = UInt8(truncatingIfNeeded: state >> 24)
            let smooth = UInt8(truncatingIfNeeded: x * 3 + y)
            buffer.setPixel(x: x, y: y, r: y % 3 == 0 ? noise : smooth, g: smooth, b: UInt8(y & 0xFF),
                            a: UInt8(truncatingIfNeeded: x * 7))
        }
    }
    return buffer
}

@Suite struct ImagingTests {
    let renderer = SandboxRenderer()

    @Test(arguments: [PixelBuffer.Layout.rgb, .rgba])
    func pngStructureAndRoundTrip(layout: PixelBuffer.Layout) throws {
        let source = pattern(width: 37, height: 21, layout: layout)
        let png = PNGEncoder.encode(source)
        #expect(Array(png.prefix(8)) == PNGEncoder.signature)
        let parts = chunks(png)
        #expect(parts.map(\.type) == ["IHDR", "IDAT", "IEND"])
        #expect(parts.allSatisfy { $0.crcValid })
        let ihdr = try #require(parts.first)
        #expect(be32(ihdr.data, 0) == 37 && be32(ihdr.data, 4) == 21)
        #expect(Array(ihdr.data[8...]) == [8, layout == .rgba ? 6 : 2, 0, 0, 0])
        let idat = parts.filter { $0.type == "IDAT" }.flatMap(\.data)
        let raw = try #require(inflate(idat, expected: (source.rowStride + 1) * 21))
        #expect(raw.count == (source.rowStride + 1) * 21)
        #expect(unfilter(raw, stride: source.rowStride, height: 21, bpp: source.bytesPerPixel) == source.pixels)
        #expect(ImageProbe.inspect(png) == ImageInfo(format: .png, width: 37, height: 21))
    }

    @Test func storedZlibFallbackInflates() throws {
        let data = (0..<150_000).map { UInt8(truncatingIfNeeded: $0 * 31) }
        #expect(inflate(PNGEncoder.storedZlib(data), expected: data.count) == data)
        #expect(inflate(PNGEncoder.storedZlib([]), expected: 0) == [])
    }

    @Test func renderedPNGInflatesToExpectedLength() throws {
        let image = renderer.render(prompt: "a lighthouse", seed: 7, index: 0, width: 96, height: 64, format: .png)
        #expect(image.info == ImageInfo(format: .png, width: 96, height: 64))
        let parts = chunks(image.bytes)
        #expect(parts.allSatisfy { $0.crcValid })
        let idat = parts.filter { $0.type == "IDAT" }.flatMap(\.data)
        #expect(inflate(idat, expected: (96 * 3 + 1) * 64)?.count == (96 * 3 + 1) * 64)
    }

    @Test(arguments: [1, 50, 90, 100])
    func jpegMarkersAndProbe(quality: Int) {
        let jpeg = JPEGEncoder(quality: quality).encode(pattern(width: 40, height: 24, layout: .rgb))
        #expect(Array(jpeg.prefix(2)) == [0xFF, 0xD8])
        #expect(Array(jpeg.suffix(2)) == [0xFF, 0xD9])
        #expect(ImageProbe.inspect(jpeg) == ImageInfo(format: .jpeg, width: 40, height: 24))
    }

    @Test func jpegEntropyDataHasNoBareMarkers() {
        let jpeg = JPEGEncoder(quality: 100, subsampling: .yuv444).encode(pattern(width: 64, height: 64, layout: .rgba))
        // After SOS every 0xFF must be stuffed (0x00) until the final EOI.
        let sos = (0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xDA } ?? 0
        let scanStart = sos + 2 + (Int(jpeg[sos + 2]) << 8 | Int(jpeg[sos + 3]))
        let bare = (scanStart..<(jpeg.count - 2)).filter { jpeg[$0] == 0xFF && jpeg[$0 + 1] != 0x00 }
        #expect(sos > 0 && bare.isEmpty)
    }

    @Test func renderingIsDeterministic() {
        for format in [ImageFormat.png, .jpeg] {
            let a = renderer.render(prompt: "cat", seed: 42, index: 0, width: 80, height: 64, format: format)
            let b = renderer.render(prompt: "cat", seed: 42, index: 0, width: 80, height: 64, format: format)
            let otherSeed = renderer.render(prompt: "cat", seed: 43, index: 0, width: 80, height: 64, format: format)
            let otherIndex = renderer.render(prompt: "cat", seed: 42, index: 1, width: 80, height: 64, format: format)
            let otherPrompt = renderer.render(prompt: "dog", seed: 42, index: 0, width: 80, height: 64, format: format)
            #expect(a.bytes == b.bytes)
            #expect(a.bytes != otherSeed.bytes)
            #expect(a.bytes != otherIndex.bytes)
            #expect(a.bytes != otherPrompt.bytes)
        }
    }

    @Test(arguments: [(17, 33), (1, 1), (64, 64), (333, 17)])
    func oddSizes(width: Int, height: Int) {
        for format in [ImageFormat.png, .jpeg] {
            let image = renderer.render(prompt: "odd", seed: -1, index: 3, width: width, height: height, format: format)
            let expected = ImageInfo(format: format, width: width, height: height)
            #expect(image.info == expected)
            #expect(ImageProbe.inspect(image.bytes) == expected)
        }
    }

    @Test func sizesAreClampedAndWebPFallsBackToPNG() {
        let image = renderer.render(prompt: "", seed: 0, index: 0, width: 0, height: -5, format: .webp)
        #expect(image.info == ImageInfo(format: .png, width: 1, height: 1))
        #expect(ImageProbe.inspect(image.bytes) == image.info)
    }

    @Test func transparentBackground() throws {
        let png = renderer.render(prompt: "logo", seed: 5, index: 0, width: 64, height: 64, format: .png,
                                  transparentBackground: true)
        #expect(chunks(png.bytes).first?.data[9] == 6)
        let pixels = renderer.renderPixels(prompt: "logo", seed: 5, index: 0, width: 64, height: 64, transparent: true)
        let alphas = stride(from: 3, to: pixels.pixels.count, by: 4).map { pixels.pixels[$0] }
        #expect(alphas.contains(0) || alphas.contains { $0 < 255 })
        #expect(alphas.contains(255))  // the label plate's text is opaque
        let jpeg = renderer.render(prompt: "logo", seed: 5, index: 0, width: 64, height: 64, format: .jpeg,
                                   transparentBackground: true)
        #expect(jpeg.info.format == .jpeg)
    }

    @Test func probeCraftedHeaders() {
        let png: [UInt8] = PNGEncoder.signature + [0, 0, 0, 13] + Array("IHDR".utf8)
            + [0, 0, 0x01, 0x00, 0, 0, 0x00, 0xC8, 8, 2, 0, 0, 0]
        #expect(ImageProbe.inspect(png) == ImageInfo(format: .png, width: 256, height: 200))

        // SOI, APP0 (length 16), fill bytes, then a progressive SOF2 frame header.
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16] + [UInt8](repeating: 0, count: 14)
            + [0xFF, 0xFF, 0xC2, 0, 17, 8, 0x02, 0x58, 0x03, 0x20, 3]
        #expect(ImageProbe.inspect(jpeg) == ImageInfo(format: .jpeg, width: 800, height: 600))

        func riff(_ chunk: String, _ payload: [UInt8]) -> [UInt8] {
            Array("RIFF".utf8) + [100, 0, 0, 0] + Array("WEBP".utf8) + Array(chunk.utf8)
                + [UInt8(payload.count), 0, 0, 0] + payload
        }
        let vp8 = riff("VP8 ", [0x50, 0x2A, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01])
        #expect(ImageProbe.inspect(vp8) == ImageInfo(format: .webp, width: 640, height: 480))
        // VP8L: width-1 = 99, height-1 = 49 packed as 14-bit fields.
        let bits = 99 | 49 << 14
        let vp8l = riff("VP8L", [0x2F, UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), 0])
        #expect(ImageProbe.inspect(vp8l) == ImageInfo(format: .webp, width: 100, height: 50))
        let vp8x = riff("VP8X", [0x10, 0, 0, 0, 0xFF, 0x0F, 0x00, 0x37, 0x04, 0x00])
        #expect(ImageProbe.inspect(vp8x) == ImageInfo(format: .webp, width: 4096, height: 1080))

        #expect(ImageFormat.jpeg.fileExtension == "jpg" && ImageFormat.webp.contentType == "image/webp")
        // Every prefix either lacks the size fields (nil) or already holds them (same answer).
        for header in [png, jpeg, vp8, vp8l, vp8x] {
            let full = ImageProbe.inspect(header)
            for n in 0..<header.count {
                let partial = ImageProbe.inspect(Array(header.prefix(n)))
                #expect(partial == nil || partial == full)
            }
        }
        #expect(ImageProbe.inspect(Array(png.prefix(23))) == nil)
        #expect(ImageProbe.inspect(Array(jpeg.prefix(jpeg.count - 2))) == nil)
    }

    @Test func probeRejectsMalformedInput() {
        let zeroWidth: [UInt8] = PNGEncoder.signature + [0, 0, 0, 13] + Array("IHDR".utf8) + [0, 0, 0, 0, 0, 0, 0, 1]
        #expect(ImageProbe.inspect(zeroWidth) == nil)
        #expect(ImageProbe.inspect([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x00]) == nil)  // segment length < 2
        #expect(ImageProbe.inspect([0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x08]) == nil)  // scan before frame
        #expect(ImageProbe.inspect([0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0x00]) == nil)  // length runs past end
        #expect(ImageProbe.inspect(Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8)) == nil)
        #expect(ImageProbe.inspect([]) == nil)
        #expect(ImageProbe.inspect(Array("GIF89a".utf8)) == nil)
        var state: UInt64 = 0x1234_5678
        for length in 0..<400 {
            var garbage = (0..<length).map { _ -> UInt8 in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 56)
            }
            // Give some inputs a real magic number so the parsers run past the first check.
            switch length % 4 {
            case 1 where length >= 3: garbage.replaceSubrange(0..<3, with: [0xFF, 0xD8, 0xFF])
            case 2 where length >= 8: garbage.replaceSubrange(0..<8, with: PNGEncoder.signature)
            case 3 where length >= 12: garbage.replaceSubrange(0..<12, with: Array("RIFFxxxxWEBP".utf8))
            default: break
            }
            if let info = ImageProbe.inspect(garbage) {
                #expect(info.width > 0 && info.height > 0)
            }
        }
    }
}
