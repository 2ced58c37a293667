import GRDB

extension SQLiteStore {
    // v2: the notification outbox (VOD pull events and HTTP deliveries).
    static func registerOutboxMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-outbox") { db in
            try db.execute(sql: """
                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    handle TEXT NOT NULL UNIQUE,
                    app_id INTEGER NOT NULL,
                    sub_app_id INTEGER NOT NULL,
                    task_id TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    visible_at REAL NOT NULL,
                    confirmed_at REAL
                );
                CREATE INDEX events_pull ON events(app_id, sub_app_id, confirmed_at, visible_at);
                CREATE TABLE deliveries (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    app_id INTEGER NOT NULL,
                    sub_app_id INTEGER NOT NULL,
                    task_id TEXT NOT NULL,
                    url TEXT NOT NULL,
                    format TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL,
                    lease_until REAL,
                    last_error TEXT,
                    created_at REAL NOT NULL,
                    delivered_at REAL
                );
                CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);
                """)
        }
    }

    // v3: the dialect column, so retention can differ per dialect (VOD 3 days, MPS 7 days).
    static func registerDialectMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-dialect") { db in
            try db.execute(sql: """
                ALTER TABLE tasks ADD COLUMN dialect TEXT NOT NULL DEFAULT 'vod';
                CREATE INDEX tasks_dialect_finished ON tasks(dialect, finished_at);
                """)
        }
    }
}

extension SQLiteStore {
    // v4: the scalable queue. Mutable state moves to columns (the JSON record is written only at insert and at the
    // end), waiting tasks get partial indexes, and per-tenant heads and per-priority counts make claims and queue
    // positions independent of the queue's depth.
    static func registerQueueMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4-queue") { db in
            try db.execute(sql: """
                ALTER TABLE tasks ADD COLUMN progress INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE tasks ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE tasks ADD COLUMN started_at REAL;
                ALTER TABLE tasks ADD COLUMN lease_token TEXT;
                ALTER TABLE tasks ADD COLUMN resume_token TEXT;
                UPDATE tasks SET
                    progress = COALESCE(json_extract(CAST(record AS TEXT), '$.progress'), 0),
                    attempts = COALESCE(json_extract(CAST(record AS TEXT), '$.attempts'), 0),
                    started_at = json_extract(CAST(record AS TEXT), '$.startedAt'),
                    resume_token = json_extract(CAST(record AS TEXT), '$.metadata.upstream_task');
                DROP INDEX tasks_queue;
                CREATE INDEX tasks_waiting_tenant ON tasks(app_id, sub_app_id, priority DESC, seq) WHERE status = 'waiting';
                CREATE INDEX tasks_waiting_order ON tasks(priority DESC, seq) WHERE status = 'waiting';
                CREATE INDEX tasks_leases ON tasks(lease_until) WHERE status = 'processing';
                CREATE TABLE queue_tenants (
                    app_id INTEGER NOT NULL,
                    sub_app_id INTEGER NOT NULL,
                    running INTEGER NOT NULL DEFAULT 0,
                    max_concurrency INTEGER,
                    head_priority INTEGER,
                    head_seq INTEGER,
                    runnable INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (app_id, sub_app_id)
                ) WITHOUT ROWID;
                CREATE INDEX queue_tenants_runnable ON queue_tenants(head_priority DESC, head_seq) WHERE runnable = 1;
                INSERT INTO queue_tenants (app_id, sub_app_id, max_concurrency)
                    SELECT app_id, sub_app_id, max_concurrency FROM app_limits;
                DROP TABLE app_limits;
                CREATE TABLE queue_counts (
                    priority INTEGER NOT NULL,
                    bucket INTEGER NOT NULL,
                    waiting INTEGER NOT NULL,
                    PRIMARY KEY (priority, bucket)
                ) WITHOUT ROWID;
                CREATE TABLE queue_totals (
                    priority INTEGER PRIMARY KEY,
                    waiting INTEGER NOT NULL
                );
                """)
            try QueueState(db: db, defaultConcurrency: 1).rebuild()
        }
    }
}

extension SQLiteStore {
    // v5: operating Easel. App records and installation settings the admin API writes, usage counted per UTC day,
    // app, credential and model in the transactions that change task states, and the task columns (model, key,
    // session) plus indexes the admin search filters on while it pages by seq.
    static func registerAdminMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5-admin") { db in
            try db.execute(sql: """
                ALTER TABLE tasks ADD COLUMN model TEXT NOT NULL DEFAULT '';
                ALTER TABLE tasks ADD COLUMN key_id TEXT;
                ALTER TABLE tasks ADD COLUMN session_id TEXT;
                UPDATE tasks SET
                    model = COALESCE(json_extract(CAST(record AS TEXT), '$.request.modelName'), '') || '-'
                        || COALESCE(json_extract(CAST(record AS TEXT), '$.request.modelVersion'), ''),
                    key_id = json_extract(CAST(record AS TEXT), '$.keyId'),
                    session_id = json_extract(CAST(record AS TEXT), '$.sessionId');
                CREATE INDEX tasks_app_seq ON tasks(app_id, sub_app_id, seq);
                CREATE INDEX tasks_status_seq ON tasks(status, seq);
                CREATE INDEX tasks_model_seq ON tasks(model, seq);
                CREATE INDEX tasks_created ON tasks(created_at);
                CREATE INDEX tasks_session ON tasks(session_id) WHERE session_id IS NOT NULL;
                CREATE INDEX events_unconfirmed ON events(app_id, sub_app_id, confirmed_at) WHERE confirmed_at IS NULL;
                CREATE TABLE apps (
                    app_id INTEGER NOT NULL,
                    sub_app_id INTEGER NOT NULL,
                    name TEXT,
                    concurrency INTEGER,
                    create_rate_per_second REAL,
                    callback_url TEXT,
                    webhook_url TEXT,
                    bucket TEXT,
                    bucket_region TEXT,
                    bucket_prefix TEXT,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (app_id, sub_app_id)
                ) WITHOUT ROWID;
                CREATE TABLE usage (
                    day TEXT NOT NULL,
                    app_id INTEGER NOT NULL,
                    sub_app_id INTEGER NOT NULL,
                    key_id TEXT NOT NULL,
                    model TEXT NOT NULL,
                    created INTEGER NOT NULL DEFAULT 0,
                    succeeded INTEGER NOT NULL DEFAULT 0,
                    failed INTEGER NOT NULL DEFAULT 0,
                    aborted INTEGER NOT NULL DEFAULT 0,
                    images INTEGER NOT NULL DEFAULT 0,
                    upstream_seconds REAL NOT NULL DEFAULT 0,
                    PRIMARY KEY (day, app_id, sub_app_id, key_id, model)
                ) WITHOUT ROWID;
                CREATE INDEX usage_app ON usage(app_id, sub_app_id, day);
                CREATE TABLE settings (
                    name TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
    }
}
