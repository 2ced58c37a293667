import Foundation
import PostgresNIO

extension PostgresStore {
    /// Brings the schema to the current version and applies `defaultConcurrency` to the queue; returns how many
    /// migrations it applied. Call it once before serving requests.
    ///
    /// It runs in one transaction under a transaction-scoped advisory lock: when several nodes start at once, one
    /// migrates and the others wait for its commit, then find nothing left to do. A failed migration rolls back whole.
    @discardableResult
    public func migrate() async throws -> Int {
        try await transaction(timeout: .seconds(120)) { [defaultConcurrency] tx in
            try await tx.run("SELECT pg_advisory_xact_lock(\(Self.migrationLock))")
            try await tx.run(PostgresQuery(unsafeSQL: Self.versionTable))
            let applied = Set(try await tx.rows("SELECT version FROM easel_migrations").map { try $0.decode(Int.self) })
            var count = 0
            for (version, statements) in Self.migrations where !applied.contains(version) {
                for statement in statements { try await tx.run(PostgresQuery(unsafeSQL: statement)) }
                try await tx.run("""
                    INSERT INTO easel_migrations (version, applied_at) VALUES (\(version), \(Date().timeIntervalSince1970))
                    """)
                count += 1
            }
            try await PostgresQueueState(tx: tx, defaultConcurrency: defaultConcurrency).refreshAllTenants()
            return count
        }
    }

    /// The table of applied migrations, created by the first `migrate()`.
    static let versionTable = """
        CREATE TABLE IF NOT EXISTS easel_migrations (version bigint PRIMARY KEY, applied_at double precision NOT NULL)
        """

    // Any constant shared by every Easel node; "easel" in ASCII.
    static let migrationLock: Int64 = 0x65_61_73_65_6C

    /// The schema by version. Each entry's statements run in order (the extended protocol takes one at a time).
    static let migrations: [(version: Int, statements: [String])] = [
        // v1 is SQLite's v4 shape: mutable task state in columns (the record is written at insert and at the end),
        // partial indexes on waiting and processing tasks, per-tenant heads and per-priority counts.
        (1, [
            """
            CREATE TABLE tasks (
                seq bigserial PRIMARY KEY,
                id text NOT NULL UNIQUE,
                app_id bigint NOT NULL,
                sub_app_id bigint NOT NULL,
                dialect text NOT NULL,
                status text NOT NULL,
                priority bigint NOT NULL,
                created_at double precision NOT NULL,
                started_at double precision,
                finished_at double precision,
                lease_until double precision,
                lease_token text,
                resume_token text,
                progress bigint NOT NULL DEFAULT 0,
                attempts bigint NOT NULL DEFAULT 0,
                record bytea NOT NULL
            )
            """,
            "CREATE INDEX tasks_waiting_tenant ON tasks (app_id, sub_app_id, priority DESC, seq) WHERE status = 'waiting'",
            "CREATE INDEX tasks_waiting_order ON tasks (priority DESC, seq) WHERE status = 'waiting'",
            "CREATE INDEX tasks_leases ON tasks (lease_until) WHERE status = 'processing'",
            "CREATE INDEX tasks_tenant ON tasks (app_id, sub_app_id, seq DESC)",
            "CREATE INDEX tasks_finished ON tasks (finished_at) WHERE finished_at IS NOT NULL",
            "CREATE INDEX tasks_dialect_finished ON tasks (dialect, finished_at) WHERE finished_at IS NOT NULL",
            """
            CREATE TABLE sessions (
                app_id bigint NOT NULL,
                sub_app_id bigint NOT NULL,
                session_id text NOT NULL,
                task_id text NOT NULL,
                created_at double precision NOT NULL,
                PRIMARY KEY (app_id, sub_app_id, session_id)
            )
            """,
            "CREATE INDEX sessions_created ON sessions (created_at)",
            """
            CREATE TABLE queue_tenants (
                app_id bigint NOT NULL,
                sub_app_id bigint NOT NULL,
                running bigint NOT NULL DEFAULT 0,
                max_concurrency bigint,
                head_priority bigint,
                head_seq bigint,
                runnable boolean NOT NULL DEFAULT false,
                PRIMARY KEY (app_id, sub_app_id)
            )
            """,
            "CREATE INDEX queue_tenants_runnable ON queue_tenants (head_priority DESC, head_seq) WHERE runnable",
            "CREATE TABLE queue_totals (priority bigint PRIMARY KEY, waiting bigint NOT NULL)",
            """
            CREATE TABLE queue_counts (
                priority bigint NOT NULL, bucket bigint NOT NULL, waiting bigint NOT NULL, PRIMARY KEY (priority, bucket)
            )
            """,
            """
            CREATE TABLE credentials (
                secret_id text PRIMARY KEY,
                app_id bigint NOT NULL,
                sub_app_id bigint NOT NULL,
                secret_key_sealed bytea NOT NULL,
                api_key_hash text NOT NULL UNIQUE,
                token_hash text,
                expires_at double precision,
                created_at double precision NOT NULL,
                revoked_at double precision
            )
            """,
            """
            CREATE TABLE media (
                file_id text PRIMARY KEY, app_id bigint NOT NULL, sub_app_id bigint NOT NULL, record bytea NOT NULL
            )
            """,
            "CREATE TABLE blob_expiry (blob_key text PRIMARY KEY, expires_at double precision NOT NULL)",
            "CREATE INDEX blob_expiry_time ON blob_expiry (expires_at)",
            """
            CREATE TABLE events (
                seq bigserial PRIMARY KEY,
                handle text NOT NULL UNIQUE,
                app_id bigint NOT NULL,
                sub_app_id bigint NOT NULL,
                task_id text NOT NULL,
                created_at double precision NOT NULL,
                visible_at double precision NOT NULL,
                confirmed_at double precision
            )
            """,
            "CREATE INDEX events_pull ON events (app_id, sub_app_id, seq) WHERE confirmed_at IS NULL",
            "CREATE INDEX events_created ON events (created_at)",
            """
            CREATE TABLE deliveries (
                seq bigserial PRIMARY KEY,
                id text NOT NULL UNIQUE,
                app_id bigint NOT NULL,
                sub_app_id bigint NOT NULL,
                task_id text NOT NULL,
                url text NOT NULL,
                format text NOT NULL,
                status text NOT NULL,
                attempts bigint NOT NULL DEFAULT 0,
                next_attempt_at double precision NOT NULL,
                lease_until double precision,
                last_error text,
                created_at double precision NOT NULL,
                delivered_at double precision
            )
            """,
            "CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending'",
            "CREATE INDEX deliveries_tenant ON deliveries (app_id, sub_app_id, seq DESC)",
            "CREATE INDEX deliveries_created ON deliveries (created_at)",
        ]),
        // v2: per-app create counts per time window, so the create rate limit holds across nodes.
        (2, [
            """
            CREATE TABLE rate_windows (
                app_id bigint NOT NULL,
                sub_app_id bigint NOT NULL,
                window_start bigint NOT NULL,
                creates bigint NOT NULL,
                PRIMARY KEY (app_id, sub_app_id, window_start)
            )
            """,
        ]),
    ] + [adminMigration, taskLogMigration, channelSlotMigration]
}
