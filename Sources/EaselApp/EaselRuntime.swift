import Crypto
import EaselBlobs
import EaselCore
import AsyncHTTPClient
import EaselServices
import EaselStore
import Foundation

/// The durable parts of an installation (database, blob store, master key) opened from a data directory and, for
/// several nodes, a PostgreSQL database (`store.url`). The server and the admin commands (`easel keys`, `easel media`)
/// share it; both use the store inside `withStore`.
public struct EaselRuntime: Sendable {
    /// The store: SQLite in the data directory by default, PostgreSQL when `store.url` is set.
    public let store: any EaselStorage
    /// Outputs and media: `<data_dir>/blobs`, or the shared bucket of `output_store`.
    public let blobs: any BlobStore
    /// Seals secrets and derives the URL-signing key.
    public let secrets: SecretBox
    private let postgres: PostgresStore?
    private let storeDescription: String
    private let bucket: S3BlobStore?
    private let bucketHTTP: HTTPClient?

    /// Whether other nodes may share the store (PostgreSQL): then a node starting up recovers only tasks whose lease
    /// expired, never the work of a live node.
    public var isSharedStore: Bool { postgres != nil }

    /// Opens (creating if needed) the installation in `configuration.dataDirectory`.
    public init(configuration: EaselConfiguration) throws {
        let root = URL(fileURLWithPath: configuration.dataDirectory, isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let keyBytes = try Self.masterKey(configured: configuration.masterKey, in: root)
        secrets = SecretBox(keyBytes: keyBytes)
        if let url = configuration.storeURL, !url.isEmpty {
            let postgres: PostgresStore
            do {
                postgres = try PostgresStore(url: url, secrets: secrets, defaultConcurrency: configuration.scheduling.defaultConcurrency)
            } catch {
                throw ConfigurationError(description: "store.url is not a usable postgres:// URL: \(error)")
            }
            self.postgres = postgres
            store = postgres
            storeDescription = "PostgreSQL at \(Self.redacted(url))"
        } else {
            postgres = nil
            store = try SQLiteStore(path: root.appendingPathComponent("easel.sqlite").path, secrets: secrets,
                                    defaultConcurrency: configuration.scheduling.defaultConcurrency)
            storeDescription = "SQLite in \(root.path)"
        }
        if let output = configuration.outputStore {
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            let store = S3BlobStore(client: S3Client(configuration: try output.s3Configuration(), httpClient: http),
                                    bucket: output.bucket, prefix: output.prefix ?? "")
            bucketHTTP = http
            bucket = store
            blobs = store
        } else {
            bucketHTTP = nil
            bucket = nil
            blobs = try LocalDiskBlobStore(root: root.appendingPathComponent("blobs", isDirectory: true))
        }
    }

    /// Runs `body` with the store ready. For PostgreSQL the connection pool runs around `body` and the migrations are
    /// applied first; a database that cannot be reached in `connectTimeout`, or refuses the credentials, fails here
    /// with one clear line instead of later.
    public func withStore<T: Sendable>(connectTimeout: Duration = .seconds(15),
                                       _ body: () async throws -> T) async throws -> T {
        let result: Result<T, any Error>
        do {
            try await checkBucket()
            result = .success(try await withPostgres(connectTimeout: connectTimeout, body))
        } catch {
            result = .failure(error)
        }
        try? await bucketHTTP?.shutdown()
        return try result.get()
    }

    private func withPostgres<T: Sendable>(connectTimeout: Duration, _ body: () async throws -> T) async throws -> T {
        guard let postgres else { return try await body() }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            try await migrate(postgres, timeout: connectTimeout)
            return try await body()
        }
    }

    // A missing bucket or refused credentials fail at start: write, read back and delete a probe object.
    private func checkBucket() async throws {
        guard let bucket else { return }
        let key = "easel-probe/\(TaskID.randomHex(bytes: 8))"
        do {
            try await bucket.put(Array("probe".utf8), key: key, contentType: "text/plain")
            guard try await bucket.get(key: key) == Array("probe".utf8) else { throw BlobError.io("read back different bytes") }
            try await bucket.delete(key: key)
        } catch {
            throw ConfigurationError(description: "cannot use output_store bucket `\(bucket.bucket)`: \(error)")
        }
    }

    private func migrate(_ postgres: PostgresStore, timeout: Duration) async throws {
        let outcome = await withTaskGroup(of: (any Error)?.self) { group -> (any Error)? in
            group.addTask {
                do {
                    _ = try await postgres.migrate()
                    return nil
                } catch {
                    return error
                }
            }
            group.addTask {
                // A refusal by the server (credentials, database) is final: report it at once instead of at the timeout.
                let deadline = ContinuousClock.now + timeout
                while ContinuousClock.now < deadline, !Task.isCancelled {
                    if let refusal = postgres.connectionRefusedByServer { return ConfigurationError(description: refusal) }
                    try? await Task.sleep(for: .milliseconds(100))
                }
                let reason = postgres.lastConnectionFailure.map { ": \($0)" } ?? ""
                return ConfigurationError(description: "no connection within \(timeout)\(reason)")
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
        if let outcome {
            let reason = String(describing: outcome).split(separator: "\n").first.map(String.init) ?? "unknown error"
            throw ConfigurationError(description: "cannot use the store (\(storeDescription)): \(reason.prefix(300))")
        }
    }

    // The URL without its password, for messages.
    private static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "the configured URL" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "the configured URL"
    }

    /// The installation's keys: file-URL signer, webhook secrets, credential issuing.
    public var keys: InstallationKeys { InstallationKeys(secrets: secrets) }

    /// The signer for file URLs.
    public var urlSigner: URLSigner { keys.urlSigner }

    // A configured key is used through SHA-256 so any passphrase works; otherwise one is generated once, 0600.
    private static func masterKey(configured: String?, in root: URL) throws -> [UInt8] {
        if let configured, !configured.isEmpty {
            return Array(SHA256.hash(data: Data(configured.utf8)))
        }
        let file = root.appendingPathComponent("master.key")
        if let existing = try? Data(contentsOf: file), existing.count == 32 { return Array(existing) }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        _ = FileManager.default.createFile(atPath: file.path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
        guard let written = try? Data(contentsOf: file), written == Data(bytes) else {
            throw ConfigurationError(description: "could not write the master key to \(file.path)")
        }
        return bytes
    }

    /// The key that signs an app's webhooks (see `InstallationKeys.webhookSecret(for:)`).
    public func webhookSecret(for tenant: Tenant) -> [UInt8] { keys.webhookSecret(for: tenant) }

    /// Creates an app credential in the store (see `InstallationKeys.createCredential`).
    public func createCredential(tenant: Tenant, tokenTTL: Duration? = nil, now: Date = Date()) async throws -> IssuedCredential {
        try await keys.createCredential(tenant: tenant, tokenTTL: tokenTTL, now: now, in: store)
    }
}
