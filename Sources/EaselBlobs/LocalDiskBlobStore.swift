import Foundation
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Blobs as files under a root directory. Writes go to a temporary file first and are renamed into place (one
/// `rename(2)`, which replaces an existing file atomically), so a reader never sees a half-written image and a crash
/// leaves no torn file. All file I/O runs on NIO's blocking-I/O thread pool, never on Swift's cooperative pool.
public struct LocalDiskBlobStore: BlobStore {
    private let root: URL
    private let pool: NIOThreadPool

    /// Creates the store, creating `root` if needed.
    public init(root: URL) throws {
        self.root = root
        self.pool = .singleton
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    public func put(_ bytes: [UInt8], key: String, contentType: String) async throws {
        let url = try location(of: key)
        try await blocking {
            let directory = url.deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let staging = directory.appendingPathComponent(".\(UUID().uuidString).tmp")
            try Data(bytes).write(to: staging)
            guard rename(staging.path, url.path) == 0 else {
                let code = errno
                try? FileManager.default.removeItem(at: staging)
                throw BlobError.io("rename failed: \(String(cString: strerror(code)))")
            }
        }
    }

    public func get(key: String) async throws -> [UInt8]? {
        let url = try location(of: key)
        return try await blocking {
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            return Array(try Data(contentsOf: url))
        }
    }

    public func delete(key: String) async throws {
        let url = try location(of: key)
        try await blocking {
            if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        }
    }

    private func location(of key: String) throws -> URL {
        guard BlobKey.isValid(key) else { throw BlobError.invalidKey(key) }
        return root.appendingPathComponent(key)
    }

    /// Runs blocking file work on the thread pool; failures other than `BlobError` become `BlobError.io`.
    private func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await pool.runIfActive(work)
        } catch let error as BlobError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw BlobError.io(String(describing: error))
        }
    }
}
