import Foundation

/// Times as Tencent writes them: ISO 8601 UTC with a `Z` and no fraction, or "" when unset.
public enum ISOTime {
    /// `2026-01-01T00:00:00Z`, or "" for nil.
    public static func string(_ date: Date?) -> String {
        guard let date else { return "" }
        return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false))
    }

    /// Parses `2026-01-01T00:00:00Z`.
    public static func parse(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle(includingFractionalSeconds: false).parse(text)
    }
}
