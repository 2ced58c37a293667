import EaselMacros
import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body, as the console's forms post it.
@MemberwiseInit
struct ConsoleForm: Sendable {
    /// The largest body read.
    static let maxBytes = 16 * 1024

    let fields: [String: String]

    /// Reads and parses `request`'s body; an oversized or unreadable body gives no fields.
    static func read(_ request: Request) async -> ConsoleForm {
        guard let buffer = try? await request.body.collect(upTo: maxBytes) else { return ConsoleForm(fields: [:]) }
        return parse(String(buffer: buffer))
    }

    static func parse(_ text: String) -> ConsoleForm {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return ConsoleForm(fields: fields)
    }

    subscript(_ name: String) -> String? { fields[name] }
}
