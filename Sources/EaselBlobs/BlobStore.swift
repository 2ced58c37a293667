/// Where image bytes live: generated outputs, media-library files, imported references.
public protocol BlobStore: Sendable {
    /// Stores `bytes` under `key`, replacing what was there.
    func put(_ bytes: [UInt8], key: String, contentType: String) async throws
    /// The bytes under `key`, or nil.
    func get(key: String) async throws -> [UInt8]?
    /// Deletes `key`; deleting a missing key succeeds.
    func delete(key: String) async throws
}

/// Errors of the blob layer.
public struct BlobError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for logs.
    public let description: String

    /// A key that is not a safe relative path.
    public static func invalidKey(_ key: String) -> Self { .init(description: "invalid blob key \(key)") }
    /// An I/O failure.
    public static func io(_ detail: String) -> Self { .init(description: "blob I/O failed: \(detail)") }
}

/// Rules for keys: relative paths of `[A-Za-z0-9._-]` segments, no `..`, so a key can never escape the store root.
public enum BlobKey {
    /// Whether `key` is acceptable.
    public static func isValid(_ key: String) -> Bool {
        // On UTF-8 bytes: Character classification was a twentieth of a node's CPU (every blob read and write checks).
        let bytes = key.utf8
        guard !bytes.isEmpty, bytes.count <= 512 else { return false }
        return bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).allSatisfy { segment in
            !segment.isEmpty && !segment.elementsEqual(".".utf8) && !segment.elementsEqual("..".utf8)
                && segment.allSatisfy { byte in
                    switch byte {
                    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                         UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"): true
                    default: false
                    }
                }
        }
    }
}
