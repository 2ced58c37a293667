import EaselCore
import Foundation
import Testing
@testable import EaselStore

/// The SQLite store's queue semantics: ordering, per-app concurrency, SessionId dedup, abort and recovery.
@Suite struct SQLiteStoreTests {
    let store: SQLiteStore
    let alice = Tenant(appId: 1, subAppId: 1)
    let bob = Tenant(appId: 2, subAppId: 2)

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("easel-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path,
                                secrets: SecretBox(keyBytes: Array(repeating: 7, count: 32)))
    }

    func makeTask(_ tenant: Tenant, priority: Int = 0, session: String? = nil, at date: Date = Date()) -> TaskRecord {
        TaskRecord(id: TaskID.make(for: .vod, tenant: tenant), tenant: tenant, dialect: .vod,
                   request: ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "p"), priority: priority,
                   sessionId: session, sessionContext: nil, createdAt: date)
    }

    func claim(concurrency: Int = 10) async throws -> TaskRecord? {
        try await store.claimNext(now: Date(), leaseUntil: Date() + 60, defaultConcurrency: concurrency)
    }

    // MARK: Tests

    @Test func claimsHigherPriorityFirstThenFIFO() async throws {
        let first = makeTask(alice)
        let second = makeTask(alice)
        let urgent = makeTask(alice, priority: 10)
        for task in [first, second, urgent] { try await store.insert(task, dedupSince: .distantPast) }
        #expect(try await claim()?.id == urgent.id)
        #expect(try await claim()?.id == first.id)
        #expect(try await claim()?.id == second.id)
        #expect(try await claim() == nil)
    }

    @Test func perAppConcurrencyLetsOtherAppsRun() async throws {
        try await store.insert(makeTask(alice), dedupSince: .distantPast)
        try await store.insert(makeTask(alice), dedupSince: .distantPast)
        let bobs = makeTask(bob)
        try await store.insert(bobs, dedupSince: .distantPast)
        let running = try #require(try await claim(concurrency: 1))
        #expect(running.tenant == alice)
        #expect(running.status == .processing && running.attempts == 1)
        // Alice is at her limit of 1, so Bob's later task runs next.
        #expect(try await claim(concurrency: 1)?.id == bobs.id)
        #expect(try await claim(concurrency: 1) == nil)
        try await store.setConcurrency(2, for: alice)
        #expect(try await claim(concurrency: 1)?.tenant == alice)
    }

    @Test func concurrentDuplicateSessionIdsCreateExactlyOneTask() async throws {
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    do {
                        try await store.insert(makeTask(alice, session: "same"), dedupSince: Date() - 3 * 86_400)
                        return true
                    } catch {
                        return false
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 1)
        // Another app may use the same SessionId, and an expired one may be reused.
        try await store.insert(makeTask(bob, session: "same"), dedupSince: Date() - 3 * 86_400)
        try await store.insert(makeTask(alice, session: "same"), dedupSince: Date() + 1)
    }

    @Test func abortOnlyWaitingTasksOfTheOwner() async throws {
        let task = makeTask(alice)
        try await store.insert(task, dedupSince: .distantPast)
        await #expect(throws: StoreError.notFound) { try await store.abort(id: task.id, tenant: bob, at: Date()) { _ in [] } }
        let aborted = try await store.abort(id: task.id, tenant: alice, at: Date()) { _ in [] }
        #expect(aborted.status == .aborted)
        // A retried abort is answered like the first; a task that started cannot be aborted.
        #expect(try await store.abort(id: task.id, tenant: alice, at: Date()) { _ in [] } == aborted)
        #expect(try await claim() == nil)
        let started = makeTask(alice)
        try await store.insert(started, dedupSince: .distantPast)
        #expect(try await claim()?.id == started.id)
        await #expect(throws: StoreError.conflict) { try await store.abort(id: started.id, tenant: alice, at: Date()) { _ in [] } }
    }

    @Test func expiredLeasesAreRequeuedThenFailed() async throws {
        let task = makeTask(alice)
        try await store.insert(task, dedupSince: .distantPast)
        _ = try await claim()
        let first = try await store.recoverExpiredLeases(expiredBefore: .distantFuture, now: Date(), maxAttempts: 2) { _ in [] }
        #expect(first.requeued == 1 && first.failed.isEmpty)
        #expect(try await store.task(id: task.id, tenant: alice)?.status == .waiting)
        _ = try await claim()
        let second = try await store.recoverExpiredLeases(expiredBefore: .distantFuture, now: Date(), maxAttempts: 2) { _ in [] }
        #expect(second.requeued == 0 && second.failed.map(\.id) == [task.id])
        let failed = try #require(try await store.task(id: task.id, tenant: alice))
        #expect(failed.status == .failed && failed.errorCode == "InternalError")
    }

    @Test func tasksAreInvisibleToOtherTenants() async throws {
        let task = makeTask(alice)
        try await store.insert(task, dedupSince: .distantPast)
        #expect(try await store.task(id: task.id, tenant: bob) == nil)
        #expect(try await store.task(id: task.id, tenant: alice)?.id == task.id)
        #expect(try await store.tasks(tenant: bob, statuses: nil, since: .distantPast, limit: 10, offset: 0).isEmpty)
    }

    @Test func queuePositionCountsTasksAhead() async throws {
        let tasks = (0..<3).map { _ in makeTask(alice) }
        for task in tasks { try await store.insert(task, dedupSince: .distantPast) }
        #expect(try await store.queuePosition(of: tasks[2]) == 2)
        #expect(try await store.queuePosition(of: tasks[0]) == 0)
    }

    @Test func credentialSecretsAreSealedAtRest() async throws {
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

    @Test func expiredBlobsAreListedAndForgotten() async throws {
        var task = makeTask(alice)
        try await store.insert(task, dedupSince: .distantPast)
        task.status = .succeeded
        task.finishedAt = Date()
        task.outputs = [TaskOutput(index: 0, blobKey: "outputs/a.png", fileId: nil, fileType: "png", contentType: "image/png",
                                   width: 1, height: 1, size: 1, md5: "", storageMode: .temporary, expiresAt: Date() - 1)]
        try await store.finish(task, outbox: [])
        #expect(try await store.expiredBlobs(before: Date(), limit: 10) == ["outputs/a.png"])
        try await store.forgetBlobs(["outputs/a.png"])
        #expect(try await store.expiredBlobs(before: Date(), limit: 10).isEmpty)
        #expect(try await store.purgeTasks(finishedBefore: Date() + 1, dialect: .mps) == 0)
        #expect(try await store.purgeTasks(finishedBefore: Date() + 1, dialect: .vod) == 1)
    }

    @Test func pullEventsHideUntilConfirmedOrTheWindowLapses() async throws {
        var task = makeTask(alice)
        try await store.insert(task, dedupSince: .distantPast)
        task.status = .succeeded
        task.finishedAt = Date()
        try await store.finish(task, outbox: [.pullEvent, .delivery(url: "https://example.com/hook", format: .vodEvent)])
        let now = Date()
        let pulled = try await store.pullEvents(tenant: alice, now: now, visibility: .seconds(30), limit: 16)
        #expect(pulled.map(\.taskId) == [task.id])
        #expect(try await store.pullEvents(tenant: bob, now: now, visibility: .seconds(30), limit: 16).isEmpty)
        #expect(try await store.pullEvents(tenant: alice, now: now + 1, visibility: .seconds(30), limit: 16).isEmpty)
        // Not confirmed within 30 s: pullable again, and the old pull can no longer confirm.
        let again = try await store.pullEvents(tenant: alice, now: now + 31, visibility: .seconds(30), limit: 16)
        #expect(again.map(\.handle) == pulled.map(\.handle))
        #expect(try await store.confirmEvents(handles: ["nope"], tenant: alice, now: now + 32) == ["nope"])
        #expect(try await store.confirmEvents(handles: again.map(\.handle), tenant: alice, now: now + 32).isEmpty)
        #expect(try await store.pullEvents(tenant: alice, now: now + 100, visibility: .seconds(30), limit: 16).isEmpty)
    }

    @Test func deliveriesAreClaimedOnceAndCanBeReplayed() async throws {
        var task = makeTask(alice)
        try await store.insert(task, dedupSince: .distantPast)
        task.status = .failed
        task.finishedAt = Date()
        try await store.finish(task, outbox: [.delivery(url: "https://example.com/hook", format: .restWebhook)])
        let now = Date() + 1
        var claimed = try await store.claimDueDeliveries(now: now, leaseUntil: now + 60, limit: 10)
        #expect(claimed.count == 1 && claimed[0].taskId == task.id && claimed[0].status == .pending)
        #expect(try await store.claimDueDeliveries(now: now, leaseUntil: now + 60, limit: 10).isEmpty)
        claimed[0].attempts = 11
        claimed[0].status = .dead
        claimed[0].lastError = "HTTP 500"
        try await store.recordAttempt(claimed[0])
        #expect(try await store.deliveries(tenant: alice, status: .dead, limit: 10).map(\.id) == [claimed[0].id])
        #expect(try await store.replayDelivery(id: claimed[0].id, tenant: bob, now: now) == false)
        #expect(try await store.replayDelivery(id: claimed[0].id, tenant: alice, now: now))
        let replayed = try await store.claimDueDeliveries(now: now, leaseUntil: now + 60, limit: 10)
        #expect(replayed.first?.attempts == 0 && replayed.first?.status == .pending)
    }
}
