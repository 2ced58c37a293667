import Foundation

/// The opaque `next_cursor` of task listings: the store's keyset position, versioned and base64url-encoded, so
/// clients pass it back unchanged and never depend on what it holds.
enum AdminCursor {
    private static let prefix = "tasks.v1."

    static func encode(_ position: Int64) -> String {
        Data((prefix + String(position)).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) throws(AdminError) -> Int64 {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard cursor.count <= 64, let data = Data(base64Encoded: base64),
              let text = String(data: data, encoding: .utf8), text.hasPrefix(prefix),
              let position = Int64(text.dropFirst(prefix.count))
        else { throw .invalid("cursor is not a cursor this server returned; pass next_cursor unchanged.") }
        return position
    }
}
