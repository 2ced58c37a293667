import Foundation

/// The members of one JSON object of a stored record, read by name with the rules the synthesized `Decodable`
/// conformances apply under `JSONDecoder` (dates as seconds since 1970): a required member must be there and not
/// null, an optional one may be missing or null, and a member of the wrong type is an error.
struct RecordFields {
    /// A record that does not have the shape its type needs.
    struct Mismatch: Error, CustomStringConvertible {
        let description: String
    }

    let members: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, path: String) throws(Mismatch) {
        guard case .object(let members) = value else { throw Mismatch(description: "\(path) is not an object") }
        self.members = members
        self.path = path
    }

    func has(_ key: String) -> Bool {
        if case .null = members[key] ?? .null { return false }
        return true
    }

    func string(_ key: String) throws(Mismatch) -> String {
        guard case .string(let text) = try required(key) else { throw mismatch(key, "a string") }
        return text
    }

    func optionalString(_ key: String) throws(Mismatch) -> String? {
        has(key) ? try string(key) : nil
    }

    func int64(_ key: String) throws(Mismatch) -> Int64 {
        guard case .int(let number) = try required(key) else { throw mismatch(key, "an integer") }
        return number
    }

    func int(_ key: String) throws(Mismatch) -> Int {
        guard let number = Int(exactly: try int64(key)) else { throw mismatch(key, "an integer") }
        return number
    }

    func optionalInt(_ key: String) throws(Mismatch) -> Int? {
        has(key) ? try int(key) : nil
    }

    func optionalInt64(_ key: String) throws(Mismatch) -> Int64? {
        has(key) ? try int64(key) : nil
    }

    func bool(_ key: String) throws(Mismatch) -> Bool {
        guard case .bool(let flag) = try required(key) else { throw mismatch(key, "a boolean") }
        return flag
    }

    func optionalBool(_ key: String) throws(Mismatch) -> Bool? {
        has(key) ? try bool(key) : nil
    }

    func date(_ key: String) throws(Mismatch) -> Date {
        switch try required(key) {
        case .int(let seconds): return Date(timeIntervalSince1970: Double(seconds))
        case .double(let seconds): return Date(timeIntervalSince1970: seconds)
        default: throw mismatch(key, "seconds since 1970")
        }
    }

    func optionalDate(_ key: String) throws(Mismatch) -> Date? {
        has(key) ? try date(key) : nil
    }

    func raw<Value: RawRepresentable<String>>(_ key: String, as type: Value.Type) throws(Mismatch) -> Value {
        guard let value = Value(rawValue: try string(key)) else { throw mismatch(key, "a known \(Value.self)") }
        return value
    }

    func object(_ key: String) throws(Mismatch) -> RecordFields {
        try RecordFields(required(key), path: "\(path).\(key)")
    }

    func optionalObject(_ key: String) throws(Mismatch) -> RecordFields? {
        has(key) ? try object(key) : nil
    }

    func array(_ key: String) throws(Mismatch) -> [JSONValue] {
        guard case .array(let items) = try required(key) else { throw mismatch(key, "an array") }
        return items
    }

    func required(_ key: String) throws(Mismatch) -> JSONValue {
        guard let value = members[key], value != .null else { throw Mismatch(description: "\(path).\(key) is missing") }
        return value
    }

    private func mismatch(_ key: String, _ expected: String) -> Mismatch {
        Mismatch(description: "\(path).\(key) is not \(expected)")
    }
}

/// Builds the members of one JSON object the way the synthesized `Encodable` conformances do: optionals that are nil
/// are left out, dates are seconds since 1970.
struct RecordMembers {
    private(set) var members: [String: JSONValue] = [:]

    var value: JSONValue { .object(members) }

    mutating func set(_ key: String, _ value: JSONValue) { members[key] = value }
    mutating func set(_ key: String, _ text: String) { members[key] = .string(text) }
    mutating func set(_ key: String, _ text: String?) { if let text { members[key] = .string(text) } }
    mutating func set(_ key: String, _ number: Int) { members[key] = .int(Int64(number)) }
    mutating func set(_ key: String, _ number: Int?) { if let number { members[key] = .int(Int64(number)) } }
    mutating func set(_ key: String, _ number: Int64) { members[key] = .int(number) }
    mutating func set(_ key: String, _ number: Int64?) { if let number { members[key] = .int(number) } }
    mutating func set(_ key: String, _ flag: Bool) { members[key] = .bool(flag) }
    mutating func set(_ key: String, _ flag: Bool?) { if let flag { members[key] = .bool(flag) } }
    mutating func set(_ key: String, _ date: Date) { members[key] = .double(date.timeIntervalSince1970) }
    mutating func set(_ key: String, _ date: Date?) { if let date { set(key, date) } }
}
