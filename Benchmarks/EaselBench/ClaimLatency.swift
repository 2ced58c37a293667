import ArgumentParser
import EaselCore
import EaselStore
import Foundation
import GRDB

/// Claim latency at depth: a fresh `SQLiteStore` with `--tasks` waiting tasks of one tenant at its concurrency limit
/// (bulk-loaded by SQL in one transaction, queue bookkeeping re-derived the way `QueueState.rebuild()` does), then
/// a stream of another tenant's tasks: each is inserted, claimed and finished through the public `TaskStore` API,
/// and each step is timed. An empty claim (nothing runnable: what every dispatcher tick costs) is timed as well.
struct ClaimLatency: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "claim-latency",
                                                    abstract: "Claim latency of SQLiteStore with N waiting tasks.")

    @Option(help: "Waiting tasks of the saturated tenant.") var tasks: Int = 1_000_000
    @Option(help: "Claims to time.") var claims: Int = 10_000
    @Option(help: "Directory for the database (default: a new temporary one, removed afterwards).") var dir: String?
    @Flag(help: "Print one JSON object instead of text.") var json = false

    static let saturated = Tenant(appId: 1_000_001, subAppId: 1_000_001)
    static let stream = Tenant(appId: 1_000_002, subAppId: 1_000_002)

    func run() async throws {
        let fm = FileManager.default
        let base = dir.map { URL(fileURLWithPath: $0) }
            ?? fm.temporaryDirectory.appendingPathComponent("easel-claim-\(UUID().uuidString)")
        try fm.createDirectory(at: base, withIntermediateDirectories: true)
        defer { if dir == nil { try? fm.removeItem(at: base) } }
        let path = base.appendingPathComponent("easel.sqlite").path
        let secrets = SecretBox(keyBytes: Array(repeating: 7, count: 32))

        // Migrate, then load the backlog with plain SQL while no store is open.
        do { _ = try SQLiteStore(path: path, secrets: secrets, defaultConcurrency: 1) }
        let loadStart = ContinuousClock.now
        try Self.bulkLoad(path: path, count: tasks)
        let loadTime = ContinuousClock.now - loadStart

        let store = try SQLiteStore(path: path, secrets: secrets, defaultConcurrency: 1)
        try await store.rebuildQueueState()
        // Saturate the first tenant: one of its tasks runs, at its limit of 1.
        if tasks > 0 {
            let first = try await store.claim(now: Date(), leaseUntil: Date() + 3600, limit: 64)
            guard first.count == 1, first[0].task.tenant == Self.saturated else {
                throw ValidationError("expected one task of the saturated tenant, got \(first.count)")
            }
        }
        let clock = ContinuousClock()
        var insertTimes: [UInt64] = [], claimTimes: [UInt64] = [], finishTimes: [UInt64] = [], emptyTimes: [UInt64] = []
        insertTimes.reserveCapacity(claims); claimTimes.reserveCapacity(claims)
        finishTimes.reserveCapacity(claims); emptyTimes.reserveCapacity(claims)
        let runStart = clock.now
        for index in 0..<claims {
            let task = Self.record(id: "1000002-AigcImageTask-stream\(index)t", tenant: Self.stream, prompt: "stream \(index)")
            var start = clock.now
            try await store.insert(task, dedupKey: nil, dedupSince: .distantPast)
            insertTimes.append((clock.now - start).nanoseconds)

            start = clock.now
            let claimed = try await store.claim(now: Date(), leaseUntil: Date() + 3600, limit: 64)
            claimTimes.append((clock.now - start).nanoseconds)
            guard claimed.count == 1, claimed[0].task.id == task.id else {
                throw ValidationError("claim \(index) returned \(claimed.map(\.task.id)) instead of \(task.id)")
            }

            var done = claimed[0].task
            done.status = .succeeded
            done.progress = 100
            done.finishedAt = Date()
            start = clock.now
            try await store.finish(done, lease: claimed[0].lease, outbox: [])
            finishTimes.append((clock.now - start).nanoseconds)

            start = clock.now
            let none = try await store.claim(now: Date(), leaseUntil: Date() + 3600, limit: 64)
            emptyTimes.append((clock.now - start).nanoseconds)
            guard none.isEmpty else { throw ValidationError("an empty claim returned \(none.count) tasks") }
        }
        let runTime = clock.now - runStart
        let claim = LatencySummary(nanoseconds: claimTimes), empty = LatencySummary(nanoseconds: emptyTimes)
        let insert = LatencySummary(nanoseconds: insertTimes), finish = LatencySummary(nanoseconds: finishTimes)
        let loadSeconds = Double(loadTime.nanoseconds) / 1e9, runSeconds = Double(runTime.nanoseconds) / 1e9
        if json {
            let object: [String: Any] = ["waiting": tasks, "claims": claims, "load_seconds": loadSeconds,
                                         "run_seconds": runSeconds, "claim": claim.json, "empty_claim": empty.json,
                                         "insert": insert.json, "finish": finish.json]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(String(format: "waiting=%d (loaded in %.1f s), %d insert+claim+finish cycles in %.1f s", tasks, loadSeconds,
                         claims, runSeconds))
            print("claim        \(claim)")
            print("empty claim  \(empty)")
            print("insert       \(insert)")
            print("finish       \(finish)")
        }
    }

    static func record(id: TaskID, tenant: Tenant, prompt: String) -> TaskRecord {
        TaskRecord(id: id, tenant: tenant, dialect: .vod,
                   request: ImageRequest(modelName: "GEM", modelVersion: "3.0", prompt: prompt), priority: 0,
                   sessionId: nil, sessionContext: nil, createdAt: Date())
    }

    /// Inserts `count` waiting tasks of the saturated tenant in one transaction; the caller then re-derives the
    /// queue bookkeeping with `SQLiteStore.rebuildQueueState()`.
    static func bulkLoad(path: String, count: Int) throws {
        guard count > 0 else { return }
        let templateId = "1000001-AigcImageTask-TEMPLATE"
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        let template = String(decoding: try encoder.encode(record(id: TaskID(rawValue: templateId), tenant: saturated,
                                                                  prompt: "a lighthouse at dusk, backlog")), as: UTF8.self)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                INSERT INTO tasks (id, app_id, sub_app_id, status, priority, created_at, record, dialect, progress, attempts)
                SELECT '1000001-AigcImageTask-bulk' || i || 't', ?, ?, 'waiting', 0, ?,
                       CAST(replace(?, ?, '1000001-AigcImageTask-bulk' || i || 't') AS BLOB), 'vod', 0, 0
                FROM n
                """, arguments: [count, saturated.appId, saturated.subAppId, Date().timeIntervalSince1970, template, templateId])
        }
        try queue.close()
    }
}
