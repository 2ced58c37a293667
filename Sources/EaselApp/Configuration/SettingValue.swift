import EaselCore
import Foundation

/// A type a setting can hold, read from its text (an environment variable, a command-line flag, a file value).
public protocol SettingValue: Sendable, Equatable {
    /// The value `text` spells, or nil when it spells none.
    static func parse(_ text: String) -> Self?
    /// What a valid value looks like, for error messages: `an integer`.
    static var expected: String { get }
    /// The value as the README's table shows it.
    var documented: String { get }
    /// Whether the value is a list, read as one (comma-separated in the environment, an array in the file).
    static var isList: Bool { get }
    /// The list `items` spells, for list types.
    static func parse(items: [String]) -> Self?
}

extension SettingValue {
    public static var isList: Bool { false }
    public static func parse(items: [String]) -> Self? { nil }
}

extension Int: SettingValue {
    public static func parse(_ text: String) -> Int? {
        // The file's numbers arrive as their JSON text, so `8.0` is an integer too.
        Int(text) ?? Double(text).flatMap { $0.rounded() == $0 && abs($0) < 1e15 ? Int($0) : nil }
    }
    public static var expected: String { "an integer" }
    public var documented: String { String(self) }
}

extension Double: SettingValue {
    public static func parse(_ text: String) -> Double? { Double(text).flatMap { $0.isFinite ? $0 : nil } }
    public static var expected: String { "a number" }
    public var documented: String { self.rounded() == self ? String(Int(self)) : String(self) }
}

extension Bool: SettingValue {
    public static func parse(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes": true
        case "0", "false", "no": false
        default: nil
        }
    }
    public static var expected: String { "true or false" }
    public var documented: String { String(self) }
}

extension String: SettingValue {
    public static func parse(_ text: String) -> String? { text }
    public static var expected: String { "a string" }
    public var documented: String { self }
}

extension Optional: SettingValue where Wrapped: SettingValue {
    public static func parse(_ text: String) -> Self? { Wrapped.parse(text).map { .some($0) } }
    public static var expected: String { Wrapped.expected }
    public var documented: String { self?.documented ?? "unset" }
}

extension Array: SettingValue where Element: SettingValue {
    public static var isList: Bool { true }

    /// A comma-separated list.
    public static func parse(_ text: String) -> [Element]? {
        parse(items: text.split(separator: ",").map(String.init))
    }

    /// The list's items, blank ones left out.
    public static func parse(items: [String]) -> [Element]? {
        let kept = items.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        let parsed = kept.compactMap(Element.parse)
        return parsed.count == kept.count ? parsed : nil
    }
    public static var expected: String { "a comma-separated list of \(Element.expected.replacingOccurrences(of: "an ", with: "").replacingOccurrences(of: "a ", with: ""))s" }
    public var documented: String { isEmpty ? "none" : map(\.documented).joined(separator: ",") }
}
