import PostgresNIO

extension PostgresStore: SettingsStore {
    public func setting(_ name: String) async throws -> String? {
        try await statement { tx in
            try await tx.scalar("SELECT value FROM settings WHERE name = \(name)", as: String.self)
        }
    }

    public func setSettingIfAbsent(_ name: String, value: String) async throws -> Bool {
        // Concurrent inserts of one name wait on its primary key; only the first to commit returns a row.
        try await statement { tx in
            try await tx.run("""
                INSERT INTO settings (name, value) VALUES (\(name), \(value)) ON CONFLICT (name) DO NOTHING RETURNING 1
                """) > 0
        }
    }

    public func setSetting(_ name: String, value: String) async throws {
        try await statement { tx in
            try await tx.run("""
                INSERT INTO settings (name, value) VALUES (\(name), \(value))
                ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value
                """)
        }
    }
}
