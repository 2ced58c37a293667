/// Reads request fields leniently, the way real Tencent clients send them, and turns a wrong type into an
/// `InvalidParameter` error that names the field as the client spelled it.
public struct FieldReader: Sendable {
    /// The object being read.
    public let value: JSONValue
    /// The path of this object, for messages (`OutputConfig`).
    public let path: String
    /// How a field path is shown in messages (snake_case for the REST dialect).
    public let display: @Sendable (String) -> String

    /// Creates a reader for `value` at `path`.
    public init(_ value: JSONValue, path: String = "", display: @escaping @Sendable (String) -> String = { $0 }) {
        self.value = value
        self.path = path
        self.display = display
    }

    /// The display name of `key` under this object.
    public func name(_ key: String) -> String { display(path.isEmpty ? key : "\(path).\(key)") }

    private func raw(_ key: String) -> JSONValue? {
        guard let member = value[key], !member.isNull else { return nil }
        return member
    }

    /// An optional string.
    public func string(_ key: String) throws(APIError) -> String? {
        guard let member = raw(key) else { return nil }
        guard let text = member.lenientString else { throw .invalidParameter("\(name(key)) must be a string.") }
        return text
    }

    /// A required, non-empty string.
    public func requiredString(_ key: String) throws(APIError) -> String {
        guard let text = try string(key), !text.isEmpty else { throw .missing(name(key)) }
        return text
    }

    /// An optional integer (numbers or numeric strings).
    public func int(_ key: String) throws(APIError) -> Int64? {
        guard let member = raw(key) else { return nil }
        if case .string(let text) = member, text.isEmpty { return nil }
        guard let number = member.lenientInt else { throw .invalidParameter("\(name(key)) must be an integer.") }
        return number
    }

    /// An optional boolean (true/false, 0/1, "true"/"false").
    public func bool(_ key: String) throws(APIError) -> Bool? {
        guard let member = raw(key) else { return nil }
        guard let flag = member.lenientBool else { throw .invalidParameter("\(name(key)) must be a boolean.") }
        return flag
    }

    /// An optional `Enabled`/`Disabled` switch, in any case.
    public func switchValue(_ key: String) throws(APIError) -> Bool? {
        guard let text = try string(key), !text.isEmpty else { return nil }
        switch text.lowercased() {
        case "enabled": return true
        case "disabled": return false
        default: throw .invalidValue("\(name(key)) must be Enabled or Disabled, got `\(text)`.")
        }
    }

    /// An optional nested object (also accepted as a JSON string).
    public func object(_ key: String) throws(APIError) -> FieldReader? {
        guard let member = raw(key) else { return nil }
        if case .string(let text) = member, text.isEmpty { return nil }
        guard let members = member.lenientObject else { throw .invalidParameter("\(name(key)) must be an object.") }
        return FieldReader(.object(members), path: path.isEmpty ? key : "\(path).\(key)", display: display)
    }

    /// An optional array of objects.
    public func objects(_ key: String) throws(APIError) -> [FieldReader] {
        guard let member = raw(key) else { return [] }
        guard let items = member.arrayValue else { throw .invalidParameter("\(name(key)) must be an array.") }
        var readers: [FieldReader] = []
        for (index, item) in items.enumerated() {
            guard case .object = item else { throw .invalidParameter("\(name(key)).\(index) must be an object.") }
            readers.append(FieldReader(item, path: "\(path.isEmpty ? key : "\(path).\(key)").\(index)", display: display))
        }
        return readers
    }

    /// An optional JSON object given as a JSON string (or, leniently, as an object).
    public func embeddedJSON(_ key: String) throws(APIError) -> [String: JSONValue]? {
        guard let member = raw(key) else { return nil }
        if case .string(let text) = member, text.trimmingWhitespace().isEmpty { return nil }
        guard let members = member.lenientObject else {
            throw .invalidParameter("\(name(key)) must be a JSON object encoded as a string.")
        }
        return members
    }
}

import Foundation
