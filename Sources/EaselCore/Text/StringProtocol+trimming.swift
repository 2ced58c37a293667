import Foundation

extension StringProtocol where UTF8View: BidirectionalCollection {
    /// `trimmingCharacters(in: .whitespaces)`, answered without Foundation's scan when both ends are visible ASCII,
    /// which is nearly every field a client sends (3 % of a create under perf went to the scan).
    public func trimmingWhitespace() -> String {
        hasVisibleASCIIEnds ? String(self) : trimmingCharacters(in: .whitespaces)
    }

    /// `trimmingCharacters(in: .whitespacesAndNewlines)`, without the scan when both ends are visible ASCII.
    public func trimmingWhitespaceAndNewlines() -> String {
        hasVisibleASCIIEnds ? String(self) : trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // `!` through `~` at both ends: no whitespace or newline there, and each a whole scalar, so nothing can be trimmed.
    private var hasVisibleASCIIEnds: Bool {
        guard let first = utf8.first, let last = utf8.last else { return false }
        return first > 0x20 && first < 0x7F && last > 0x20 && last < 0x7F
    }
}
