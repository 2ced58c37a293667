import EaselCore
import Foundation
import GRDB
import GRDBSQLite
import Testing
@testable import EaselStore

/// What only the SQLite store has: sealed secrets at rest, and queue operations whose work does not grow with the
/// queue's depth (counted in SQLite virtual-machine steps, not in time).
@Suite(.timeLimit(.minutes(2))) struct SQLiteStoreTests {
    let alice = Tenant(appId: 1, subAppId: 1)
    let bob = Tenant(appId: 2, subAppId: 2)

    func makeStore(defaultConcurrency: Int = 1) throws -> SQLiteStore {
        try SQLiteStore(path: StoreFixture.temporaryDirectory().appendingPathComponent("db.sqlite").path,
                        secrets: SecretBox(keyBytes: Array(repeating: 7, count: 32)), defaultConcurrency: defaultConcurrency)
    }

    @Test func credentialSecretsAreSealedAtRest() async throws {
        let store = try makeStore()
        let credential = Credential(secretId: "AKIDtest", secretKey: "very-secret", tenant: alice, apiKeyHash: "hash",
                                    createdAt: Date())
        try await store.addCredential(credential)
        #expect(try await store.credential(secretId: "AKIDtest")?.secretKey == "very-secret")
        #expect(try await store.credential(apiKeyHash: "hash")?.tenant == alice)
        let raw = try await store.pool.read { db in try Data.fetchOne(db, sql: "SELECT secret_key_sealed FROM credentials") }
        #expect(raw.map { String(decoding: $0, as: UTF8.self).contains("very-secret") } == false)
        #expect(try await store.revokeCredential(secretId: "AKIDtest", at: Date()))
        #expect(try await store.credential(secretId: "AKIDtest")?.isUsable(at: Date()) == false)
    }

    @Test func aSaturatedTenantsDeepQueueCostsNothingPerClaim() async throws {
        let store = try makeStore(defaultConcurrency: 1)
        let fixture = StoreFixtureTasks()
        // Alice runs one task (her limit) and has 100,000 more waiting.
        try await store.insert(fixture.task(alice), dedupSince: .distantPast)
        #expect(try await store.claim(now: Date(), leaseUntil: Date() + 60, limit: 1).count == 1)
        try await store.pool.write { db in
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
                INSERT INTO tasks (id, app_id, sub_app_id, status, priority, created_at, record, dialect)
                SELECT 'deep-' || i, 1, 1, 'waiting', 0, 0, X'7B7D', 'vod' FROM n
                """)
            try QueueState(db: db, defaultConcurrency: 1).rebuild()
        }
        let bobs = fixture.task(bob)
        let (position, insertSteps) = try await countingSteps(store) {
            try await store.insert(bobs, dedupSince: .distantPast)
        }
        #expect(position == 100_000)
        let (claimed, claimSteps) = try await countingSteps(store) {
            try await store.claim(now: Date(), leaseUntil: Date() + 60, limit: 8)
        }
        #expect(claimed.map(\.task.id) == [bobs.id], "bob's task is claimed at once; alice's are held by her limit")
        let (nothing, idleSteps) = try await countingSteps(store) {
            try await store.claim(now: Date(), leaseUntil: Date() + 60, limit: 8)
        }
        #expect(nothing.isEmpty)
        // A scan of the 100,000 waiting rows takes well over 100,000 steps; these stay in the hundreds.
        #expect(insertSteps < 2_000, "insert took \(insertSteps) VM steps")
        #expect(claimSteps < 2_000, "claim took \(claimSteps) VM steps")
        #expect(idleSteps < 200, "an idle claim took \(idleSteps) VM steps")
        // The position of a task deep in the queue is exact and bounded work too.
        let (deepPosition, positionSteps) = try await countingSteps(store) {
            try await store.pool.write { db in
                try QueueState(db: db, defaultConcurrency: 1).position(priority: 0, seq: 100_001)
            }
        }
        #expect(deepPosition == 99_999)
        #expect(positionSteps < 20_000, "position took \(positionSteps) VM steps")
    }

    /// Runs `body` and counts the SQLite VM steps its writes take on the store's writer connection.
    private func countingSteps<T: Sendable>(_ store: SQLiteStore, _ body: () async throws -> T) async throws -> (T, Int) {
        // `counter` outlives the handler: it is removed below, before this function returns.
        let counter = StepCounter()
        try await store.pool.write { db in
            sqlite3_progress_handler(db.sqliteConnection, 1, { pointer in
                Unmanaged<StepCounter>.fromOpaque(pointer!).takeUnretainedValue().steps += 1
                return 0
            }, Unmanaged.passUnretained(counter).toOpaque())
        }
        let result = try await body()
        try await store.pool.write { db in sqlite3_progress_handler(db.sqliteConnection, 0, nil, nil) }
        return (result, withExtendedLifetime(counter) { $0.steps })
    }
}

// Only touched from inside GRDB's writer, which runs one statement at a time, and read after the writes returned.
private final class StepCounter: @unchecked Sendable {
    var steps = 0
}

private struct StoreFixtureTasks {
    func task(_ tenant: Tenant) -> TaskRecord {
        TaskRecord(id: TaskID.make(for: .vod, tenant: tenant), tenant: tenant, dialect: .vod,
                   request: ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "p"), priority: 0,
                   sessionId: nil, sessionContext: nil, createdAt: Date())
    }
}
