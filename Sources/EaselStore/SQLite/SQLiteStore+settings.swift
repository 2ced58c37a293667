import GRDB

extension SQLiteStore: SettingsStore {
    public func setting(_ name: String) async throws -> String? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT value FROM settings WHERE name = ?", arguments: [name])
        }
    }

    public func setSettingIfAbsent(_ name: String, value: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                           arguments: [name, value])
            return db.changesCount > 0
        }
    }

    public func setSetting(_ name: String, value: String) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value
                """, arguments: [name, value])
        }
    }
}
