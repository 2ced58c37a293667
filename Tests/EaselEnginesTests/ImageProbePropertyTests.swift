import EaselEngines
import PropertyBased
import Testing

/// Image header probing sees untrusted reference images: it must never trap, and what it accepts is bounded.
@Suite struct ImageProbePropertyTests {
    static let signatures: [[UInt8]] = [
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52],
        [0xFF, 0xD8, 0xFF], [0xFF, 0xD8, 0xFF, 0xFF, 0xFF, 0xC0],
        Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPVP8 ".utf8), Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPVP8L".utf8),
        Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPVP8X".utf8), [],
    ]

    @Test func probingHostileBytesNeverTraps() async {
        let tail = Gen<UInt8>.value(in: 0...255).array(of: 0...64)
        await propertyCheck(count: 5_000, input: Gen.int(in: 0...(Self.signatures.count - 1)), tail) { index, tail in
            if let info = ImageProbe.inspect(Self.signatures[index] + tail) {
                #expect(info.width > 0 && info.height > 0)
                #expect(info.width <= 0x7FFF_FFFF && info.height <= 0x7FFF_FFFF)
            }
        }
    }
}
