import EaselCore
import Foundation
import GRDB
import Testing
@testable import EaselStore

/// The admin migration backfills the columns the admin search filters on from tasks stored before it, and their
/// records, which lack `keyId`, still decode.
@Suite(.timeLimit(.minutes(2))) struct AdminMigrationTests {
    let tenant = Tenant(appId: 3, subAppId: 4)

    /// A task as an older Easel stored it: finished, with a SessionId, and no `keyId` in its record.
    func oldTask() throws -> (task: TaskRecord, record: String) {
        var task = TaskRecord(id: "4-AigcImageTask-old", tenant: tenant, dialect: .vod,
                              request: ImageRequest(modelName: "GEM", modelVersion: "3.0", prompt: "p"), priority: 0,
                              sessionId: "sess-old-1", sessionContext: nil, createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        (task.status, task.finishedAt, task.progress) = (.succeeded, Date(timeIntervalSince1970: 1_700_000_100), 100)
        let record = String(decoding: RecordCoding.encode(task), as: UTF8.self)
        #expect(!record.contains("keyId"))
        return (task, record)
    }

    @Test func sqliteBackfillsModelAndSession() async throws {
        let path = try StoreFixture.temporaryDirectory().appendingPathComponent("db.sqlite").path
        let (task, record) = try oldTask()
        do {
            let pool = try DatabasePool(path: path)
            try SQLiteStore.migrator.migrate(pool, upTo: "v4-queue")
            try await pool.write { db in
                try db.execute(sql: """
                    INSERT INTO tasks (id, app_id, sub_app_id, status, priority, created_at, finished_at, record, dialect,
                                       progress, attempts)
                    VALUES (?, ?, ?, 'succeeded', 0, ?, ?, ?, 'vod', 100, 0)
                    """, arguments: [task.id, tenant.appId, tenant.subAppId, task.createdAt.timeIntervalSince1970,
                                     task.finishedAt!.timeIntervalSince1970, Data(record.utf8)])
            }
        }
        let store = try SQLiteStore(path: path, secrets: StoreFixture.secrets)
        try await expectBackfilled(store, task: task)
    }

    @Test(.enabled(if: StoreKind.available.contains(.postgres)))
    func postgresBackfillsModelAndSession() async throws {
        let cluster = try PostgresTestCluster.shared()
        let database = try cluster.createDatabase(migrated: false)
        let (task, record) = try oldTask()
        let older = PostgresStore.migrations.filter { $0.version < PostgresStore.adminMigration.version }
        let script = ["BEGIN;", PostgresStore.versionTable + ";"]
            + older.flatMap { $0.statements.map { $0 + ";" } }
            + older.map { "INSERT INTO easel_migrations VALUES (\($0.version), 0);" }
            + ["""
               INSERT INTO tasks (id, app_id, sub_app_id, dialect, status, priority, created_at, finished_at, progress, attempts,
                                  record)
               VALUES ('\(task.id)', \(tenant.appId), \(tenant.subAppId), 'vod', 'succeeded', 0,
                       \(task.createdAt.timeIntervalSince1970), \(task.finishedAt!.timeIntervalSince1970), 100, 0,
                       convert_to('\(record.replacingOccurrences(of: "'", with: "''"))', 'UTF8'));
               """, "COMMIT;"]
        _ = try cluster.psql(script.joined(separator: "\n"), database: database)
        try await withNodes(1, database: database, defaultConcurrency: 1) { nodes in
            #expect(try await nodes[0].migrate() == PostgresStore.migrations.count - older.count)
            try await expectBackfilled(nodes[0], task: task)
        }
    }

    private func expectBackfilled(_ store: some TaskStore & TaskSearch, task: TaskRecord) async throws {
        #expect(try await store.task(id: task.id, tenant: tenant) == task)
        #expect(try await store.searchTasks(TaskQuery(model: "GEM-3.0")).tasks.map(\.id) == [task.id])
        #expect(try await store.searchTasks(TaskQuery(model: "GG-2.5")).tasks.isEmpty)
        #expect(try await store.searchTasks(TaskQuery(sessionIdPrefix: "sess-old")).tasks.map(\.id) == [task.id])
        #expect(try await store.searchTasks(TaskQuery(appId: 3, statuses: [.succeeded], model: "GEM")).tasks.count == 1)
    }
}
