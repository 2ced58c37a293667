import Foundation

/// Blobs as files under a root directory. Writes go to a temporary file first and are renamed into place, so a
/// reader never sees a half-written image and a crash leaves no torn file.
public struct LocalDiskBlobStore: BlobStore {
    private let root: URL

    /// Creates the store, creating `root` if needed.
    public init(root: URL) throws {
        self.root = root
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    public func put(_ bytes: [UInt8], key: String, contentType: String) async throws {
        let url = try location(of: key)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let staging = url.deletingLastPathComponent().appendingPathComponent(".\(UUID().uuidString).tmp")
            try Data(bytes).write(to: staging)
            if FileManager.default.fileExists(atPath: url.path) {
                _ = try FileManager.default.replaceItemAt(url, withItemAt: staging)
            } else {
                try FileManager.default.moveItem(at: staging, to: url)
            }
        } catch {
            throw BlobError.io(String(describing: error))
        }
    }

    public func get(key: String) async throws -> [UInt8]? {
        let url = try location(of: key)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            throw BlobError.io(String(describing: error))
        }
    }

    public func delete(key: String) async throws {
        let url = try location(of: key)
        do {
            if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        } catch {
            throw BlobError.io(String(describing: error))
        }
    }

    private func location(of key: String) throws -> URL {
        guard BlobKey.isValid(key) else { throw BlobError.invalidKey(key) }
        return root.appendingPathComponent(key)
    }
}
