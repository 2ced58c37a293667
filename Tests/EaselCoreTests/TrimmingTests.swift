import EaselCore
import Foundation
import PropertyBased
import Testing

/// The trimming helpers against Foundation's `trimmingCharacters(in:)`, which they stand in for.
@Suite struct TrimmingTests {
    static let fragments = ["a", "Z", "~", "!", " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{2028}",
                            "\u{2029}", "\u{3000}", "\u{200B}", "\u{FEFF}", "é", "e\u{301}", "\u{301}", "🦊", "\u{7F}", "\u{0}"]
    static let text = Gen.element(of: fragments).compactMap { $0 }.array(of: 0...8).map { $0.joined() }

    @Test func trimsWhatFoundationTrims() async {
        await propertyCheck(count: 5_000, input: Self.text) { text in
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
            #expect(text.trimmingWhitespaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines),
                    "\(text.debugDescription)")
            let slice = text.dropFirst()
            #expect(slice.trimmingWhitespace() == slice.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
    }

    @Test func keepsVisibleEndsAndTrimsTheRest() {
        #expect("a b".trimmingWhitespace() == "a b")
        #expect(" a\t".trimmingWhitespace() == "a")
        #expect("a\n".trimmingWhitespace() == "a\n")
        #expect("a\n".trimmingWhitespaceAndNewlines() == "a")
        #expect("\u{3000}a".trimmingWhitespace() == "a")
        #expect("".trimmingWhitespace() == "")
    }
}
