import Foundation
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Blobs as files under a root directory. Writes go to a temporary file first and are renamed into place (one
/// `rename(2)`, which replaces an existing file atomically), so a reader never sees a half-written image and a crash
/// leaves no torn file; each file is flushed with `fsync(2)` before the rename. All file I/O runs on a blocking-I/O
/// thread pool of its own, never on Swift's cooperative pool.
public struct LocalDiskBlobStore: BlobStore {
    private let root: URL
    private let pool: NIOThreadPool

    // Each write waits for its fsync, which is mostly waiting on the disk: NIO's shared pool has one thread per core,
    // which capped a node at about two image writes in flight. The disk takes many flushes at once.
    private static let ioPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 32)
        pool.start()
        return pool
    }()

    /// Creates the store, creating `root` if needed.
    public init(root: URL) throws {
        self.root = root
        self.pool = Self.ioPool
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    public func put(_ bytes: [UInt8], key: String, contentType: String) async throws {
        let url = try location(of: key)
        try await blocking {
            let directory = url.deletingLastPathComponent()
            try Self.makeDirectories(directory.path)
            let staging = directory.appendingPathComponent(".\(UUID().uuidString).tmp")
            try Self.writeFlushed(bytes, to: staging.path)
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

    // mkdir -p with one mkdir(2) when the parent exists: FileManager's createDirectory stats every component and
    // was a tenth of a node's CPU at a thousand images a second (each task has a directory of its own).
    private static func makeDirectories(_ path: String) throws {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT, let slash = path.lastIndex(of: "/"), slash != path.startIndex else {
            throw BlobError.io("mkdir failed: \(String(cString: strerror(errno)))")
        }
        try makeDirectories(String(path[..<slash]))
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw BlobError.io("mkdir failed: \(String(cString: strerror(errno)))")
        }
    }

    // open, write, fsync, close; the file is removed again when any step fails.
    private static func writeFlushed(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw BlobError.io("open failed: \(String(cString: strerror(errno)))") }
        var failure: String?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = "write failed: \(String(cString: strerror(errno)))"
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = "fsync failed: \(String(cString: strerror(errno)))" }
        if close(descriptor) != 0, failure == nil { failure = "close failed: \(String(cString: strerror(errno)))" }
        if let failure {
            unlink(path)
            throw BlobError.io(failure)
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
