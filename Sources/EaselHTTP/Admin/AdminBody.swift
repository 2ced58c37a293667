import EaselCore
import Foundation
import Hummingbird

/// A JSON object body of an admin request: at most `limit` bytes, only the `allowed` fields, each read with a typed
/// accessor that names the field in its error.
struct AdminBody: Sendable {
    /// Bodies of JSON admin calls are small; anything larger is refused with 413.
    static let limit = 64 * 1024

    let members: [String: JSONValue]

    /// Reads the body of `request`. An empty body is an empty object.
    static func read(_ request: Request, allowed: Set<String>) async throws(AdminError) -> AdminBody {
        let bytes = try await collect(request, upTo: limit)
        guard !bytes.isEmpty else { return AdminBody(members: [:]) }
        guard let value = try? JSONValue.parse(bytes), case .object(let members) = value else {
            throw .invalid("The request body must be a JSON object.")
        }
        if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .invalid("Unknown field `\(unknown.prefix(100))`; the allowed fields are \(allowed.sorted().joined(separator: ", ")).")
        }
        return AdminBody(members: members)
    }

    /// The raw bytes of `request`, at most `limit`.
    static func collect(_ request: Request, upTo limit: Int) async throws(AdminError) -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw AdminError(.payloadTooLarge, "The request body is larger than \(limit) bytes.")
        }
        do {
            var buffer = try await request.body.collect(upTo: limit)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw AdminError(.payloadTooLarge, "The request body is larger than \(limit) bytes.")
        } catch {
            throw .invalid("The request body could not be read.")
        }
    }

    /// Whether the field is present (null included).
    func has(_ field: String) -> Bool { members[field] != nil }

    /// A field that may be absent (keep), null (clear) or a value (set).
    func patch<T>(_ field: String, _ parse: (JSONValue) throws(AdminError) -> T) throws(AdminError) -> AdminPatch<T> {
        guard let value = members[field] else { return .keep }
        if value.isNull { return .clear }
        return .set(try parse(value))
    }

    /// A field that may be absent or null (both nil) or a value.
    func optional<T>(_ field: String, _ parse: (JSONValue) throws(AdminError) -> T) throws(AdminError) -> T? {
        guard let value = members[field], !value.isNull else { return nil }
        return try parse(value)
    }

    /// A field that must be present.
    func required<T>(_ field: String, _ parse: (JSONValue) throws(AdminError) -> T) throws(AdminError) -> T {
        guard let value = try optional(field, parse) else { throw .invalid("The field `\(field)` is required.") }
        return value
    }
}
