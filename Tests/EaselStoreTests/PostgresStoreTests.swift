import EaselCore
import Foundation
import PostgresNIO
import Testing
@testable import EaselStore

/// What only the PostgreSQL store has: several nodes on one database, migrations shared by them, and the
/// connection details. Runs where `StoreKind.available` includes `.postgres`.
@Suite(.enabled(if: StoreKind.available.contains(.postgres)), .timeLimit(.minutes(2)))
struct PostgresStoreTests {
    let alice = Tenant(appId: 1, subAppId: 1)
    let bob = Tenant(appId: 2, subAppId: 2)

    @Test func twoNodesClaimingConcurrentlyKeepEachTenantsLimitAndClaimEveryTaskOnce() async throws {
        let database = try PostgresTestCluster.shared().createDatabase()
        try await withNodes(2, database: database, defaultConcurrency: 3) { nodes in
            try await nodes[0].setConcurrency(2, for: bob)
            var inserted: [TaskID] = []
            for index in 0..<260 {
                let task = makeTask(index < 200 ? alice : bob, priority: index % 3)
                try await nodes[index % 2].insert(task, dedupSince: .distantPast)
                inserted.append(task.id)
            }
            let tracker = ClaimTracker(total: inserted.count)
            let sampler = Task { await sampleRunning(on: nodes[1]) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Two nodes × three claimers, each finishing on a random node: fencing is by token, not by node.
                for node in nodes {
                    for _ in 0..<3 {
                        group.addTask { try await claimUntilDone(node, nodes: nodes, tracker: tracker) }
                    }
                }
                try await group.waitForAll()
            }
            sampler.cancel()
            let sampled = await sampler.value
            let report = await tracker.report()
            #expect(report.duplicates.isEmpty, "claimed twice: \(report.duplicates)")
            #expect(report.claimed == Set(inserted))
            // The claimers' own view undercounts (a task counts from the claim's return to the finish's start);
            // the database's running counts and processing rows are sampled, and both limits must be reached.
            #expect(report.highWater[alice, default: 0] <= 3 && report.highWater[bob, default: 0] <= 2,
                    "seen running by the claimers: \(report.highWater)")
            #expect(sampled.processing[alice.appId, default: 0] <= 3 && sampled.processing[bob.appId, default: 0] <= 2,
                    "processing rows seen in the database: \(sampled.processing)")
            #expect(sampled.running[alice.appId] == 3 && sampled.running[bob.appId] == 2,
                    "running counts seen in the database: \(sampled.running)")
            let tasks = try await nodes[0].tasks(tenant: alice, statuses: nil, since: .distantPast, limit: 500, offset: 0)
                + nodes[1].tasks(tenant: bob, statuses: nil, since: .distantPast, limit: 500, offset: 0)
            #expect(tasks.count == inserted.count && tasks.allSatisfy { $0.status == .succeeded && $0.attempts == 1 })
            let running = try await nodes[0].statement { tx in
                try await tx.scalar("SELECT COALESCE(SUM(running), 0)::bigint FROM queue_tenants", as: Int.self)
            }
            #expect(running == 0)
        }
    }

    @Test func migrationsRunOnceWhenNodesStartTogether() async throws {
        let database = try PostgresTestCluster.shared().createDatabase(migrated: false)
        try await withNodes(4, database: database, defaultConcurrency: 1) { nodes in
            let applied = try await withThrowingTaskGroup(of: Int.self) { group in
                for node in nodes { group.addTask { try await node.migrate() } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(applied.sorted() == [0, 0, 0, PostgresStore.migrations.count])
            #expect(try await nodes[2].migrate() == 0)
            let versions = try await nodes[0].statement { tx in
                try await tx.scalar("SELECT COUNT(*) FROM easel_migrations", as: Int.self)
            }
            #expect(versions == PostgresStore.migrations.count)
            let task = makeTask(alice)
            try await nodes[1].insert(task, dedupSince: .distantPast)
            #expect(try await nodes[3].claim(now: Date(), leaseUntil: Date() + 60, limit: 4).map(\.task.id) == [task.id])
        }
    }

    @Test func theTestTemplateIsWhatMigrateBuildsAndUnixSocketsWork() async throws {
        let cluster = try PostgresTestCluster.shared()
        let database = try cluster.createDatabase()
        let store = try PostgresStore(url: cluster.socketURL(database: database), secrets: StoreFixture.secrets,
                                      logger: StoreFixture.quietLogger)
        let applied = try await running(store) { try await store.migrate() }
        #expect(applied == 0, "the fixtures' template must be fully migrated")
    }

    @Test func releasingDeliveryLeasesLeavesOtherNodesLiveLeasesAlone() async throws {
        let database = try PostgresTestCluster.shared().createDatabase()
        try await withNodes(2, database: database, defaultConcurrency: 1) { nodes in
            for _ in 0..<2 {
                try await nodes[0].insert(makeTask(alice), dedupSince: .distantPast)
                let claimed = try #require(try await nodes[0].claim(now: Date(), leaseUntil: Date() + 60, limit: 1).first)
                var task = claimed.task
                (task.status, task.finishedAt, task.progress) = (.succeeded, Date() - 10, 100)
                try await nodes[0].finish(task, lease: claimed.lease,
                                          outbox: [.delivery(url: "https://example.com/hook", format: .restWebhook)])
            }
            let now = Date()
            let live = try await nodes[0].claimDueDeliveries(now: now, leaseUntil: now + 60, limit: 1)
            let lapsed = try await nodes[0].claimDueDeliveries(now: now, leaseUntil: now - 1, limit: 1)
            #expect(live.count == 1 && lapsed.count == 1)
            // Node 1 restarts and frees leases of dead processes: only the lapsed one is freed.
            try await nodes[1].releaseDeliveryLeases()
            #expect(try await nodes[1].claimDueDeliveries(now: Date(), leaseUntil: Date() + 60, limit: 10).map(\.id) == lapsed.map(\.id))
        }
    }

    @Test func finishCompletesWhenTheCallingTaskIsCancelled() async throws {
        let fixture = try StoreFixture(.postgres)
        let task = try await fixture.queued(fixture.alice)
        let claimed = try #require(try await fixture.claim())
        try await inCancelledTask { try await fixture.finish(claimed) }
        #expect(try await fixture.store.task(id: task.id, tenant: fixture.alice)?.status == .succeeded)
    }

    @Test func credentialSecretsAreSealedAtRestAndFailuresAreUnavailable() async throws {
        let database = try PostgresTestCluster.shared().createDatabase()
        try await withNodes(1, database: database, defaultConcurrency: 1) { nodes in
            let store = nodes[0]
            try await store.addCredential(Credential(secretId: "AKIDtest", secretKey: "very-secret", tenant: alice,
                                                     apiKeyHash: "hash", createdAt: Date()))
            #expect(try await store.credential(secretId: "AKIDtest")?.secretKey == "very-secret")
            #expect(try await store.credential(apiKeyHash: "hash")?.tenant == alice)
            let raw = try await store.statement { tx in
                try await tx.scalar("SELECT secret_key_sealed FROM credentials", as: Data.self)
            }
            #expect(raw.map { String(decoding: $0, as: UTF8.self).contains("very-secret") } == false)
            #expect(try await store.revokeCredential(secretId: "AKIDtest", at: Date()))
            #expect(try await store.credential(secretId: "AKIDtest")?.isUsable(at: Date()) == false)
            await #expect(throws: StoreError.self) {
                try await store.transaction { tx in try await tx.run("SELECT * FROM no_such_table") }
            }
            do {
                try await store.statement { tx in try await tx.run("SELECT * FROM no_such_table") }
            } catch let error as StoreError {
                #expect(error.description.hasPrefix("database unavailable"))
            }
        }
    }

    @Test func urlsAreParsedLikeLibpq() throws {
        let tcp = try PostgresURL.configuration(from: "postgres://easel:p%40ss@db.internal:6543/easel?sslmode=disable")
        #expect(tcp.host == "db.internal" && tcp.port == 6543 && tcp.username == "easel" && tcp.password == "p@ss")
        #expect(tcp.database == "easel" && tcp.unixSocketPath == nil)
        let socket = try PostgresURL.configuration(from: "postgresql://easel@/easel?host=/var/run/postgresql&port=5433")
        #expect(socket.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5433" && socket.host == nil)
        #expect(throws: StoreError.self) { try PostgresURL.configuration(from: "mysql://x@y/z") }
        #expect(throws: StoreError.self) { try PostgresURL.configuration(from: "postgres://x@y/z?sslmode=sometimes") }
    }

    // MARK: - Helpers

    private func makeTask(_ tenant: Tenant, priority: Int = 0) -> TaskRecord {
        TaskRecord(id: TaskID.make(for: .vod, tenant: tenant), tenant: tenant, dialect: .vod,
                   request: ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "p"), priority: priority,
                   sessionId: nil, sessionContext: nil, createdAt: Date())
    }
}

/// Runs `body` with `count` stores ("nodes") on `database`, their pools running in a task group around it.
func withNodes<T: Sendable>(_ count: Int, database: String, defaultConcurrency: Int,
                            _ body: @Sendable ([PostgresStore]) async throws -> T) async throws -> T {
    let cluster = try PostgresTestCluster.shared()
    let nodes = try (0..<count).map { _ in
        try PostgresStore(url: cluster.url(database: database), secrets: StoreFixture.secrets,
                          defaultConcurrency: defaultConcurrency, operationTimeout: .seconds(30),
                          logger: StoreFixture.quietLogger)
    }
    return try await withThrowingTaskGroup(of: Void.self) { group in
        for node in nodes { group.addTask { await node.run() } }
        defer { group.cancelAll() }
        return try await body(nodes)
    }
}

/// Runs `body` while `store`'s pool runs.
func running<T: Sendable>(_ store: PostgresStore, _ body: @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await store.run() }
        defer { group.cancelAll() }
        return try await body()
    }
}

/// One claimer: claims, "runs" briefly, finishes on a random node, until every task is done.
private func claimUntilDone(_ node: PostgresStore, nodes: [PostgresStore], tracker: ClaimTracker) async throws {
    while await !tracker.isDone {
        let claimed = try await node.claim(now: Date(), leaseUntil: Date() + 60, limit: 2)
        if claimed.isEmpty {
            try await Task.sleep(for: .milliseconds(5))
            continue
        }
        for task in claimed { await tracker.started(task.task) }
        try await Task.sleep(for: .milliseconds(Int.random(in: 1...4)))
        for task in claimed {
            await tracker.stopping(task.task)
            var done = task.task
            (done.status, done.finishedAt, done.progress) = (.succeeded, Date(), 100)
            try await nodes.randomElement()!.finish(done, lease: task.lease, outbox: [])
            await tracker.finished()
        }
    }
}

/// Samples, until cancelled, the most processing rows and the highest running count any tenant had in the database.
private func sampleRunning(on node: PostgresStore) async -> (processing: [Int64: Int], running: [Int64: Int]) {
    var processing: [Int64: Int] = [:]
    var running: [Int64: Int] = [:]
    while !Task.isCancelled {
        // Cancelling the sampler also fails its query in flight; that is its normal end.
        guard let rows = try? await node.statement({ tx in
            try await tx.rows("""
                SELECT app_id, (SELECT COUNT(*) FROM tasks t WHERE t.app_id = q.app_id AND t.status = 'processing'), running
                FROM queue_tenants q
                """).map { try $0.decode((Int64, Int, Int).self) }
        }) else { break }
        for (app, rowCount, count) in rows {
            processing[app] = max(processing[app, default: 0], rowCount)
            running[app] = max(running[app, default: 0], count)
        }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return (processing, running)
}

/// What the claimers saw: each task's claims, and the most tasks of a tenant running at once.
private actor ClaimTracker {
    let total: Int
    private var claimed: Set<TaskID> = []
    private var duplicates: [TaskID] = []
    private var running: [Tenant: Int] = [:]
    private var highWater: [Tenant: Int] = [:]
    private var done = 0

    init(total: Int) { self.total = total }

    var isDone: Bool { done >= total }

    func started(_ task: TaskRecord) {
        if !claimed.insert(task.id).inserted { duplicates.append(task.id) }
        running[task.tenant, default: 0] += 1
        highWater[task.tenant] = max(highWater[task.tenant, default: 0], running[task.tenant]!)
    }

    func stopping(_ task: TaskRecord) { running[task.tenant, default: 0] -= 1 }

    func finished() { done += 1 }

    func report() -> (claimed: Set<TaskID>, duplicates: [TaskID], highWater: [Tenant: Int]) {
        (claimed, duplicates, highWater)
    }
}
