/// Lenient readers: real clients send integers as strings (`"TasksPriority": "10"`), booleans as 0/1 or
/// `"true"`, and JSON documents inside strings (`ExtInfo`, `AdditionalParameters`).
extension JSONValue {
    /// A string, or the text of a number or boolean.
    public var lenientString: String? {
        switch self {
        case .string(let value): value
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .bool(let value): value ? "true" : "false"
        default: nil
        }
    }

    /// An integer, from a number with no fraction or from a string holding one.
    public var lenientInt: Int64? {
        switch self {
        case .int(let value): value
        case .double(let value) where value.rounded() == value && abs(value) < 9e15: Int64(value)
        case .string(let value): Int64(value.trimmingWhitespace())
        default: nil
        }
    }

    /// A boolean, from true/false, 0/1 or the strings true/false/1/0/Enabled/Disabled in any case.
    public var lenientBool: Bool? {
        switch self {
        case .bool(let value): value
        case .int(let value) where value == 0 || value == 1: value == 1
        case .string(let value):
            switch value.lowercased() {
            case "true", "1", "enabled", "on", "yes": true
            case "false", "0", "disabled", "off", "no": false
            default: nil
            }
        default: nil
        }
    }

    /// An object, or the object encoded in a JSON string.
    public var lenientObject: [String: JSONValue]? {
        switch self {
        case .object(let members): members
        case .string(let text):
            if case .object(let members)? = try? JSONValue.parse(Array(text.utf8)) { members } else { nil }
        default: nil
        }
    }

    /// An array; a lone object or scalar is not promoted.
    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}

import Foundation
