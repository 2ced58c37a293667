import EaselCore
import Foundation
import Hummingbird

/// The query parameters of an admin request: only the `allowed` names, each at most once, read with typed accessors
/// that name the parameter in their errors.
struct AdminQuery: Sendable {
    private let values: [String: String]

    init(_ request: Request, allowed: Set<String>) throws(AdminError) {
        var values: [String: String] = [:]
        for (name, value) in request.uri.queryParameters {
            let name = String(name)
            guard allowed.contains(name) else {
                let names = allowed.isEmpty ? "none" : allowed.sorted().joined(separator: ", ")
                throw .invalid("Unknown query parameter `\(name.prefix(100))`; the allowed ones are \(names).")
            }
            guard values[name] == nil else { throw .invalid("The query parameter `\(name)` is given more than once.") }
            values[name] = String(value)
        }
        self.values = values
    }

    /// The raw value; an empty value counts as absent.
    func string(_ name: String, maxLength: Int = 128) throws(AdminError) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        guard value.count <= maxLength, !value.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw .invalid("\(name) must be at most \(maxLength) characters without control characters.")
        }
        return value
    }

    /// An integer in `range`.
    func integer(_ name: String, in range: ClosedRange<Int64>) throws(AdminError) -> Int64? {
        guard let text = try string(name, maxLength: 20) else { return nil }
        guard text.allSatisfy(\.isASCII), let value = Int64(text), range.contains(value) else {
            throw .invalid("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    /// An app or sub-app id.
    func id(_ name: String) throws(AdminError) -> Int64? {
        try integer(name, in: 1...Int64.max)
    }

    /// An ISO-8601 UTC time (`2026-12-01T22:40:00Z`, fractions allowed).
    func time(_ name: String) throws(AdminError) -> Date? {
        guard let text = try string(name, maxLength: 40) else { return nil }
        if let date = ISOTime.parse(text) ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) {
            return date
        }
        throw .invalid("\(name) must be an ISO-8601 UTC time such as 2026-12-01T22:40:00Z, got `\(text.prefix(40))`.")
    }

    /// A UTC day, `YYYY-MM-DD`.
    func day(_ name: String) throws(AdminError) -> String? {
        guard let text = try string(name, maxLength: 10) else { return nil }
        let digits = text.enumerated().allSatisfy { index, character in
            index == 4 || index == 7 ? character == "-" : character.isASCII && character.isNumber
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard text.count == 10, digits,
              let year = Int(text.prefix(4)), let month = Int(text.dropFirst(5).prefix(2)), let day = Int(text.suffix(2)),
              let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
              calendar.dateComponents([.year, .month, .day], from: date) == DateComponents(year: year, month: month, day: day)
        else { throw .invalid("\(name) must be a day written YYYY-MM-DD, got `\(text)`.") }
        return text
    }

    /// One of `choices`.
    func choice<T: RawRepresentable>(_ name: String, _ type: T.Type) throws(AdminError) -> T?
    where T: CaseIterable, T.RawValue == String {
        guard let text = try string(name, maxLength: 40) else { return nil }
        guard let value = T(rawValue: text) else {
            throw .invalid("\(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got `\(text)`.")
        }
        return value
    }
}
