import EaselCore
import Foundation
import PropertyBased
import Testing

/// Generators of hostile text: fragments that real parsers trip over (signs, leading zeros, huge numbers,
/// separators, escapes, control and non-ASCII characters), joined at random.
enum Hostile {
    static let keyFragments = ["a", "A", "0", "1", "2", "+1", "01", "-0", "-1", "00", "999", "1000",
                               "99999999999999999999", ".", "..", "FileInfos", "Url", "%2B", "%", "é", "\u{0}", " "]
    static let textFragments = ["{", "}", "[", "]", ":", ",", "\"", "\\", "\"a\"", "1", "-0", "1e999", "-1e999",
                                "9223372036854775808", "0.5", "null", "true", "false", "\\u0000", "\\ud800", "x", "×",
                                "*", "=", "&", "%00", "%zz", "+", "/", "TC3-HMAC-SHA256", "Credential=", "SignedHeaders=",
                                "Signature=", ";", "\t", " ", "\u{FEFF}", "🦊", "\u{7F}"]

    static let key = Gen.element(of: keyFragments).compactMap { $0 }.array(of: 0...12).map { $0.joined() }
    static let text = Gen.element(of: textFragments).compactMap { $0 }.array(of: 0...40).map { $0.joined() }
    static let bytes = Gen<UInt8>.value(in: 0...255).array(of: 0...256)
    static let parameters = PropertyBased.zip(key, text).array(of: 0...30)
}

@Suite struct HostileInputPropertyTests {
    @Test func unflattenNeverTrapsAndOnlyThrowsInvalidParameter() async {
        await propertyCheck(count: 2_000, input: Hostile.parameters) { pairs in
            do {
                let value = try JSONValue.unflatten(pairs.map { (key: $0.0, value: $0.1) })
                #expect(value.objectValue != nil)
            } catch let error as APIError {
                #expect(error.code == "InvalidParameter")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func canonicalIndicesBecomeArraysAndOthersStayObjects() throws {
        let array = try JSONValue.unflatten([("L.1", "b"), ("L.0", "a"), ("L.2.X", "c")])
        #expect(array["L"] == .array([.string("a"), .string("b"), .object(["X": .string("c")])]))
        for keys in [["0", "+1"], ["0", "01"], ["1", "2"], ["0", "-1"], ["0", "1000"]] {
            let value = try JSONValue.unflatten(keys.map { (key: "L.\($0)", value: "v") })
            #expect(value["L"]?.objectValue?.count == keys.count, "\(keys) must stay an object")
        }
        #expect(throws: APIError.self) { try JSONValue.unflatten([("A", "1"), ("A.B", "2")]) }
        #expect(throws: APIError.self) { try JSONValue.unflatten([("A.B", "2"), ("A", "1")]) }
        #expect(throws: APIError.self) { try JSONValue.unflatten([(String(repeating: "a.", count: 20) + "b", "1")]) }
        #expect(throws: APIError.self) { try JSONValue.unflatten([("A..B", "1")]) }
        let many = (0...JSONValue.FlattenedLimits.maxParameters).map { (key: "K\($0)", value: "v") }
        #expect(throws: APIError.self) { try JSONValue.unflatten(many) }
    }

    @Test func jsonParsingNeverTraps() async {
        await propertyCheck(count: 2_000, input: Hostile.text) { text in
            if let value = try? JSONValue.parse(Array(text.utf8)) {
                // Whatever parses re-encodes and parses to the same value.
                #expect((try? JSONValue.parse(value.encoded())) == value)
            }
        }
        await propertyCheck(count: 500, input: Hostile.bytes) { bytes in
            _ = try? JSONValue.parse(bytes)
        }
    }

    @Test func deeplyNestedJSONIsRefusedNotRecursedInto() {
        for depth in [600, 100_000] {
            let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            #expect(throws: (any Error).self) { try JSONValue.parse(Array(text.utf8)) }
        }
        let accepted = String(repeating: "[", count: 400) + String(repeating: "]", count: 400)
        #expect(throws: Never.self) { try JSONValue.parse(Array(accepted.utf8)) }
    }

    @Test func authorizationHeaderParsingNeverTraps() async {
        await propertyCheck(count: 2_000, input: Hostile.text) { text in
            _ = try? TC3Authorization(parsing: text)
            _ = try? TC3Authorization(parsing: "TC3-HMAC-SHA256 " + text)
        }
    }

    @Test func sizesAndRatiosNeverTrap() async {
        await propertyCheck(count: 2_000, input: Hostile.text, Hostile.text) { size, ratio in
            if let parsed = PixelSize(parsing: size) {
                #expect((1...PixelSize.maxParsedSide).contains(parsed.width))
                #expect(parsed.pixels > 0)
            }
            if let (a, b) = OutputGeometry.parseAspectRatio(ratio) { #expect(a > 0 && b > 0) }
        }
        #expect(PixelSize(parsing: "9223372036854775807x9223372036854775807") == nil)
        #expect(PixelSize(width: Int.max, height: 2).pixels == Int.max)
    }

    @Test func createDecodersAndValidatorNeverTrap() async {
        let fields = ["SubAppId", "ModelName", "ModelVersion", "Prompt", "FileInfos", "OutputConfig", "AspectRatio",
                      "Resolution", "OutputImageCount", "ExtInfo", "AdditionalParameters", "size", "n", "model", "prompt",
                      "TasksPriority", "Seed", "SessionId", "Type", "Url", "Base64", "StorageMode", "SceneType"]
        let values: [JSONValue] = [.null, .bool(true), .int(-1), .int(Int64.max), .int(Int64.min), .double(1e300),
                                   .double(-0.5), .string(""), .string("GG"), .string("2.5"), .string("9999999999x9999999999"),
                                   .string("16:9"), .string("99999999999999:1"), .string("{\"size\": \"100000x100000\"}"),
                                   .string("4K"), .string("8192P"), .array([]), .array([.object([:])]),
                                   .array([.object(["Type": .string("Base64"), "Base64": .string("!!")])]),
                                   .object(["AspectRatio": .string("auto")])]
        let member = PropertyBased.zip(Gen.element(of: fields).compactMap { $0 }, Gen.int(in: 0...(values.count - 1)))
        let validator = RequestValidator(catalog: .standard)
        await propertyCheck(count: 2_000, input: member.array(of: 0...12)) { members in
            var object: [String: JSONValue] = ["ModelName": .string("GG"), "ModelVersion": .string("2.5")]
            for (name, index) in members { object[name] = values[index] }
            let params = FieldReader(.object(object))
            for dialect in Dialect.allCases {
                let command: CreateCommand?
                switch dialect {
                case .vod, .rest: command = try? VODCreateDecoder.decode(params, requireSubAppId: dialect == .vod)
                case .mps: command = try? MPSCreateDecoder.decode(params, catalog: .standard)
                case .openai:
                    command = (try? OpenAIImageDecoder.decode(params, catalog: .standard, aliases: [:], defaultModel: "GG-2.5"))?.command
                }
                if let command { _ = try? validator.validate(command.request, dialect: dialect) }
            }
        }
    }
}
