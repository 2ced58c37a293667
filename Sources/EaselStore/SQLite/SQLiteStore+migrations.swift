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
