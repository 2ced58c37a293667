import EaselCore
import Foundation
import PropertyBased
import Testing

/// The hand-written reader and writer against Foundation's `JSONDecoder`/`JSONEncoder` driving `JSONValue`'s
/// `Codable` conformance, which is how documents were read and written before: same values, same errors, same bytes.
@Suite struct JSONValueParsingTests {
    static func foundationParse(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    static func foundationEncode(_ value: JSONValue) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map(Array.init) ?? Array("null".utf8)
    }

    static let edgeCases = [
        "1", "1.0", "1e2", "1E2", "-0", "-0.0", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "12345678901234567890123", "0.1", "1.5e300", "1e400", "-1e400", "01", "-", "1.", ".5",
        "+1", " 1 ", "\u{FEFF}1", "[1,]", "{\"a\":1,}", "[1 , ]", "{\"a\":1 , }", "[,]", "[1,,2]", "{,}", "",
        "  ", "{\"a\":1,\"a\":2}", #""\ud800""#, #""\udc00""#, #""\ud83d\ude00""#, #""\ud83d\u0041""#, #""\u00e9""#,
        #""\u00E9""#, "\"a\tb\"", #""\/""#, #""\u0000""#, "\"\u{7F}\"", #""\x""#, "true", "false", "null", "nul",
        "tru", "true1", "nulll", "[true false]", "[]", "{}", "1 2", "NaN", "[1e-400]", "-1e-400", "-1e-7", "2e-1",
        "{\"b\":1, \"a\": [true, null]}", "2.5", "100000000000000000000.0", "1.0e1", "0", "-1", "9007199254740993.0", "-9223372036854775808.0", "9223372036854775295.0", "9223372036854775296.0", "-1.801439850948201e+16", "9007199254740993e0", "-9223372036854775807.5", "1.8e16", "9.2233720368547758e18", "90071992547409930e-1", "9007199254740993.999", "-9223372036854775807.0", "-9223372036854775806.5", "9223372036854775294.5", "9007199254740993.5", "-9007199254740993.5",
        "9223372036854775807.0", "1.7976931348623157e308", "4.9e-324", "123456789.000000001", "1.5E+2", "0e0",
        "0.0e-5", "[1]x", "{\"a\" 1}", "{1:2}", "/*c*/1", "[1]\n", "\t[1]\r\n", "1.5.5", "-01", "0x10", "1e", "1e+",
        "\"unterminated", "[1", "{\"a\":", "{\"a\"", "\"é😀\"", "{\"é\":{\"\":[[],{}]}}", "\"\\\"\\\\\\b\\f\\n\\r\\t\"",
    ]

    @Test(arguments: edgeCases)
    func readsEdgeCasesAsFoundationDid(_ text: String) {
        let bytes = Array(text.utf8)
        #expect((try? JSONValue.parse(bytes)) == Self.foundationParse(bytes), "\(text.debugDescription)")
    }

    @Test func rejectsInvalidUTF8AndRawControlCharacters() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0x01, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]] {
            #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.parse(bytes) }
            #expect(Self.foundationParse(bytes) == nil)
        }
    }

    @Test func nestsUpToTheLimitAndRefusesDeeperWithoutExhaustingTheStack() throws {
        let limit = JSONValue.maxNesting
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(throws: Never.self) { try JSONValue.parse(Array(deepest.utf8)) }
        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.parse(Array(tooDeep.utf8)) }
        let hostile = String(repeating: "{\"a\":[", count: 200_000)
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.parse(Array(hostile.utf8)) }
    }

    @Test func readsHostileTextAsFoundationDid() async {
        await propertyCheck(count: 3_000, input: Hostile.text) { text in
            let bytes = Array(text.utf8)
            #expect((try? JSONValue.parse(bytes)) == Self.foundationParse(bytes), "\(text.debugDescription)")
        }
    }

    @Test func readsRandomBytesAsFoundationDid() async {
        await propertyCheck(count: 2_000, input: Hostile.bytes) { bytes in
            #expect((try? JSONValue.parse(bytes)) == Self.foundationParse(bytes))
        }
    }

    @Test func writesTheBytesFoundationWrote() async {
        await propertyCheck(count: 2_000, input: Self.values) { value in
            #expect(value.encodedBytes() == Self.foundationEncode(value), "\(value)")
            #expect((try? JSONValue.parse(value.encodedBytes())) == Self.foundationParse(Self.foundationEncode(value)))
        }
    }

    @Test func writesEscapesNumbersAndOrderAsFoundationDid() {
        let values: [JSONValue] = [
            .double(1.0), .double(0.1), .double(1e300), .double(1e-7), .double(-0.0), .double(1.2345678901234568e20),
            .double(.leastNonzeroMagnitude), .double(1e21), .double(123.456), .double(0x1p53), .double(.nan), .double(.infinity),
            .array([.int(1), .double(-.infinity)]), .int(.min), .int(.max),
            .string("a\"b\\c/d\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}é😀\u{2028}\u{0}"),
            .object(["b": .int(1), "a": .int(2), "B": .int(3), "a10": .null, "a2": .null, "é": .null, "Z": .null,
                     "_": .null, "aa": .null, "": .null, "ß": .null, "😀": .null, "\u{7f}": .null]),
            .array([]), .object([:]), .null, .bool(true),
        ]
        for value in values {
            #expect(value.encodedBytes() == Self.foundationEncode(value), "\(value)")
        }
    }

    typealias ValueGenerator = Generator<JSONValue, AnySequence<(index: Int, value: Any)>>

    static let scalars: ValueGenerator = Gen.oneOf(
        Gen.always(JSONValue.null).eraseToAny(),
        Gen.bool.map(JSONValue.bool).eraseToAny(),
        Gen<Int64>.int64().map(JSONValue.int).eraseToAny(),
        Gen<Double>.double(in: -1e12...1e12).map(JSONValue.double).eraseToAny(),
        Gen<UInt64>.uint64().map { bits -> JSONValue in
            let double = Double(bitPattern: bits)
            return .double(double.isFinite ? double : 0)
        }.eraseToAny(),
        Hostile.text.map(JSONValue.string).eraseToAny()
    )

    static let values: ValueGenerator = Gen.oneOf(
        scalars,
        scalars.array(of: 0...6).map(JSONValue.array).eraseToAny(),
        PropertyBased.zip(Hostile.key, scalars).array(of: 0...6).map { pairs in
            JSONValue.object(Dictionary(pairs, uniquingKeysWith: { first, _ in first }))
        }.eraseToAny(),
        PropertyBased.zip(Hostile.key, scalars.array(of: 0...3).map(JSONValue.array)).array(of: 0...4).map { pairs in
            JSONValue.object(Dictionary(pairs, uniquingKeysWith: { first, _ in first }))
        }.eraseToAny()
    )
}
