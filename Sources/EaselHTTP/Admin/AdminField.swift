import EaselCore
import Foundation

/// Parsers of admin JSON fields and query parameters; each error names the field and what it accepts.
enum AdminField {
    /// An integer in `range` (a JSON integer, or a number with no fraction).
    static func integer(_ field: String, in range: ClosedRange<Int64>) -> (JSONValue) throws(AdminError) -> Int64 {
        { value throws(AdminError) in
            let number: Int64? = switch value {
            case .int(let int): int
            case .double(let double) where double.rounded() == double && abs(double) < 9e15: Int64(double)
            default: nil
            }
            guard let number, range.contains(number) else {
                throw .invalid("\(field) must be an integer from \(range.lowerBound) to \(range.upperBound).")
            }
            return number
        }
    }

    /// A number in `range`.
    static func number(_ field: String, in range: ClosedRange<Double>) -> (JSONValue) throws(AdminError) -> Double {
        { value throws(AdminError) in
            let number: Double? = switch value {
            case .int(let int): Double(int)
            case .double(let double): double
            default: nil
            }
            guard let number, number.isFinite, range.contains(number) else {
                throw .invalid("\(field) must be a number from \(range.lowerBound.formatted()) to \(range.upperBound.formatted()).")
            }
            return number
        }
    }

    /// A string of 1…`maxLength` characters without control characters.
    static func text(_ field: String, maxLength: Int) -> (JSONValue) throws(AdminError) -> String {
        { value throws(AdminError) in
            guard case .string(let text) = value, !text.isEmpty, text.count <= maxLength,
                  !text.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) })
            else { throw .invalid("\(field) must be a string of 1 to \(maxLength) characters without control characters.") }
            return text
        }
    }

    /// A string of 1…`maxLength` characters from `allowed`.
    static func token(_ field: String, maxLength: Int, allowed: String, describe: String) -> (JSONValue) throws(AdminError) -> String {
        let characters = Set(allowed)
        return { value throws(AdminError) in
            guard case .string(let text) = value, !text.isEmpty, text.count <= maxLength, text.allSatisfy(characters.contains) else {
                throw .invalid("\(field) must be 1 to \(maxLength) characters: \(describe).")
            }
            return text
        }
    }

    /// An http(s) URL Easel may call under `policy`.
    static func url(_ field: String, policy: CallbackURLPolicy) -> (JSONValue) throws(AdminError) -> String {
        { value throws(AdminError) in
            guard case .string(let text) = value else { throw .invalid("\(field) must be an absolute http or https URL.") }
            do throws(APIError) {
                try policy.validate(text, field: field)
            } catch {
                throw .invalid(error.message)
            }
            return text
        }
    }

    /// A bucket name as S3 and COS allow it.
    static var bucket: (JSONValue) throws(AdminError) -> String {
        token("bucket", maxLength: 63, allowed: "abcdefghijklmnopqrstuvwxyz0123456789.-",
                  describe: "lower-case letters, digits, dots and hyphens")
    }
    /// A bucket region (`ap-guangzhou`, `us-east-1`).
    static var region: (JSONValue) throws(AdminError) -> String {
        token("bucket_region", maxLength: 64, allowed: "abcdefghijklmnopqrstuvwxyz0123456789-",
                  describe: "lower-case letters, digits and hyphens")
    }
}
