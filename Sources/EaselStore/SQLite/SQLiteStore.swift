import EaselCore
import Foundation
import GRDB

/// The embedded default store: one SQLite file in WAL mode through GRDB. Many readers run concurrently; writes
/// are short transactions serialised by SQLite, which is what makes claims and SessionId dedup atomic.
public final class SQLiteStore: Sendable {
    let pool: DatabasePool
    let secrets: SecretBox
    /// Gathers concurrent task inserts and finishes into shared write transactions (group commit).
    let writes: SQLiteWriteBatcher
    /// Running tasks per tenant unless `setConcurrency` overrides it.
    public let defaultConcurrency: Int

    /// Opens (creating if needed) the database at `path`, migrates it to the current schema and applies
    /// `defaultConcurrency` to the queue.
    public init(path: String, secrets: SecretBox, defaultConcurrency: Int = 1) throws {
        self.defaultConcurrency = max(defaultConcurrency, 1)
        var configuration = Configuration()
        // The CLI and the server share the file; wait for the writer instead of failing.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
            try pool.write { [defaultConcurrency = self.defaultConcurrency] db in
                try QueueState(db: db, defaultConcurrency: defaultConcurrency).refreshAllTenants()
            }
        } catch {
            throw StoreError.unavailable(String(reflecting: error))
        }
        self.secrets = secrets
        writes = SQLiteWriteBatcher(pool: pool)
    }

    /// Re-derives the queue's bookkeeping (running counts, tenant heads, waiting counts) from the tasks themselves,
    /// after tasks were loaded or changed by hand in SQL. A full scan: for tools, never for a hot path.
    public func rebuildQueueState() async throws {
        try await write { [defaultConcurrency] db in try QueueState(db: db, defaultConcurrency: defaultConcurrency).rebuild() }
    }

    /// Runs a write transaction, mapping database failures to `StoreError`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await mappingFailures { try await pool.write(body) }
    }

    /// Runs a write transaction that completes even if the calling task is cancelled: a finished task's result or a
    /// release at shutdown must not be lost to GRDB's cancellation check.
    func writeIgnoringCancellation<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            pool.asyncWrite(body) { _, result in continuation.resume(returning: result) }
        }
        return try await mappingFailures { try result.get() }
    }

    /// Runs a read, mapping database failures to `StoreError`.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await mappingFailures { try await pool.read(body) }
    }

    /// What `body` returns; a database failure becomes `StoreError.unavailable`, a `StoreError` passes as it is.
    private func mappingFailures<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.unavailable(String(reflecting: error))
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE tasks (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    app_id INTEGER NOT NULL,
                    sub_app_id INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    priority INTEGER NOT NULL,
                    created_at REAL NOT NULL,
                    finished_at REAL,
                    lease_until REAL,
                    record BLOB NOT NULL
                );
                CREATE INDEX tasks_queue ON tasks(status, priority DESC, seq);
                CREATE INDEX tasks_tenant ON tasks(app_id, sub_app_id, status);
                CREATE INDEX tasks_finished ON tasks(finished_at);
                CREATE TABLE sessions (
                    app_id INTEGER NOT NULL,
                    sub_app_id INTEGER NOT NULL,
                    session_id TEXT NOT NULL,
                    task_id TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (app_id, sub_app_id, session_id)
                );
                CREATE TABLE app_limits (
                    app_id INTEGER NOT NULL,
                    sub_app_id INTEGER NOT NULL,
                    max_concurrency INTEGER NOT NULL,
                    PRIMARY KEY (app_id, sub_app_id)
                );
                CREATE TABLE credentials (
                    secret_id TEXT PRIMARY KEY,
                    app_id INTEGER NOT NULL,
                    sub_app_id INTEGER NOT NULL,
                    secret_key_sealed BLOB NOT NULL,
                    api_key_hash TEXT NOT NULL UNIQUE,
                    token_hash TEXT,
                    expires_at REAL,
                    created_at REAL NOT NULL,
                    revoked_at REAL
                );
                CREATE TABLE media (
                    file_id TEXT PRIMARY KEY,
                    app_id INTEGER NOT NULL,
                    sub_app_id INTEGER NOT NULL,
                    record BLOB NOT NULL
                );
                CREATE TABLE blob_expiry (
                    blob_key TEXT PRIMARY KEY,
                    expires_at REAL NOT NULL
                );
                CREATE INDEX blob_expiry_time ON blob_expiry(expires_at);
                """)
        }
        registerOutboxMigration(&migrator)
        registerDialectMigration(&migrator)
        registerQueueMigration(&migrator)
        registerAdminMigration(&migrator)
        registerTaskLogMigration(&migrator)
        return migrator
    }
}
