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
        guard !key.isEmpty, key.count <= 512, !key.hasPrefix("/") else { return false }
        return key.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { segment in
            !segment.isEmpty && segment != "." && segment != ".."
                && segment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }
        }
    }
}
