import Dispatch
import EaselCore
import Foundation
import GRDB
import Testing
@testable import EaselStore

/// Group commit of SQLite inserts: concurrent inserts share write transactions, yet each keeps the semantics of an
/// insert of its own. To make batches deterministic, most tests first hold the batcher with a batch whose
/// transaction blocks until every insert under test waits behind it.
@Suite(.timeLimit(.minutes(2))) struct SQLiteGroupCommitTests {
    typealias Insert = @Sendable () async throws -> Int

    let alice = Tenant(appId: 1, subAppId: 1)
    let bob = Tenant(appId: 2, subAppId: 2)

    @Test func queuedInsertsCommitInFullBatchesWithPositionsOfOneSerialOrder() async throws {
        let store = try makeStore()
        let counter = try await TaskCommitCounter.install(on: store.pool)
        let tasks = (0..<300).map { i in task(i.isMultiple(of: 2) ? alice : bob, priority: i % 3, session: "s\(i)") }
        let results = try await insertBehindHeldBatch(store, tasks.map { task in
            { try await store.insert(task, dedupSince: .distantPast) }
        })
        let positions = try Dictionary(uniqueKeysWithValues: zip(tasks.map(\.id), results.map { try $0.get() }))
        // 300 waiting inserts, at most 128 a transaction: 128 + 128 + 44.
        #expect(counter.commits == 3)
        // Replaying the inserts in the order they were written gives exactly the positions they were answered.
        let rows = try await store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, priority FROM tasks ORDER BY seq").map { (TaskID(rawValue: $0[0] as String), $0[1] as Int) }
        }
        #expect(rows.count == tasks.count)
        var waiting = [Int: Int]()
        for (id, priority) in rows {
            #expect(positions[id] == waiting.filter { $0.key >= priority }.values.reduce(0, +), "position of \(id)")
            waiting[priority, default: 0] += 1
        }
        for task in tasks {
            #expect(try await store.task(id: task.id, tenant: task.tenant)?.id == task.id)
            #expect(try await store.taskId(sessionId: task.sessionId ?? "", tenant: task.tenant) == task.id)
        }
        #expect(try await waitingCounted(store) == tasks.count)
    }

    @Test func duplicatesInOneBatchLetExactlyOneWinPerTenant() async throws {
        let store = try makeStore()
        let counter = try await TaskCommitCounter.install(on: store.pool)
        let alices = (0..<16).map { _ in task(alice, session: "same") }
        let bobs = (0..<16).map { _ in task(bob, session: "same") }
        let others = (0..<8).map { i in task(alice, session: "other-\(i)") }
        let tasks = alices + bobs + others
        let results = try await insertBehindHeldBatch(store, tasks.map { task in
            { try await store.insert(task, dedupSince: Date() - 86_400) }
        })
        #expect(counter.commits == 1, "all 40 inserts were in one batch")
        for (group, range) in [(alices, 0..<16), (bobs, 16..<32)] {
            let winners = range.filter { (try? results[$0].get()) != nil }
            #expect(winners.count == 1)
            #expect(range.filter { results[$0] == .failure(.duplicateSession) }.count == 15)
            let winner = try #require(winners.first.map { tasks[$0] })
            #expect(try await store.taskId(sessionId: "same", tenant: group[0].tenant) == winner.id)
        }
        #expect(results[32...].allSatisfy { (try? $0.get()) != nil })
        #expect(try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tasks") } == 10)
        #expect(try await waitingCounted(store) == 10)
    }

    @Test func aFailingInsertDoesNotAffectTheOthersOfItsBatch() async throws {
        let store = try makeStore()
        let counter = try await TaskCommitCounter.install(on: store.pool)
        // Two inserts of one task id (with their own dedup keys) among 48 good ones: the second one written fails on
        // the id's uniqueness, and with it its dedup key, usage and queue bookkeeping must go.
        let twins = [task(alice, session: "twin-a", id: "twin"), task(alice, session: "twin-b", id: "twin")]
        let tasks = twins + (0..<48).map { i in task(alice, session: "good-\(i)") }
        let results = try await insertBehindHeldBatch(store, tasks.map { task in
            { try await store.insert(task, dedupSince: .distantPast) }
        })
        #expect(counter.commits == 1)
        let twinWinners = results[0..<2].filter { (try? $0.get()) != nil }.count
        #expect(twinWinners == 1)
        #expect(results[0..<2].contains { $0 != .failure(.duplicateSession) && (try? $0.get()) == nil })
        #expect(results[2...].allSatisfy { (try? $0.get()) != nil })
        let keys = [try await store.taskId(sessionId: "twin-a", tenant: alice),
                    try await store.taskId(sessionId: "twin-b", tenant: alice)]
        #expect(keys.compactMap { $0 } == ["twin"], "only the winner's dedup key remains")
        let positions = results.compactMap { try? $0.get() }.sorted()
        #expect(positions == Array(0..<49), "the failed insert left no gap and no double in the queue")
        #expect(try await waitingCounted(store) == 49)
        #expect(try await store.usage(UsageQuery(appId: alice.appId)).map(\.created).reduce(0, +) == 49)
    }

    @Test func aFailedTransactionFailsEveryInsertOfItsBatch() async throws {
        let store = try makeStore()
        let tasks = (0..<10).map { i in task(alice, session: "s\(i)") }
        let broken: Insert = {
            try await store.writes.submit { _ in throw DatabaseError(resultCode: .SQLITE_IOERR) }
            return 0
        }
        let results = try await insertBehindHeldBatch(store, [broken] + tasks.map { task in
            { try await store.insert(task, dedupSince: .distantPast) }
        })
        #expect(results.count == 11)
        for result in results {
            guard case .failure(let error) = result else {
                Issue.record("an insert of the failed batch succeeded")
                continue
            }
            #expect(error != .duplicateSession)
        }
        #expect(try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tasks") } == 0)
        #expect(try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sessions") } == 0)
        #expect(try await waitingCounted(store) == 0)
        #expect(try await store.usage(UsageQuery()).isEmpty)
        // The batcher is free again: the next insert commits on its own.
        #expect(try await store.insert(tasks[0], dedupSince: .distantPast) == 0)
    }

    @Test func concurrentInsertsCountCreatedUsageExactly() async throws {
        let store = try makeStore()
        // Unheld, so batches form however the inserts arrive; every fourth one repeats a session of its tenant.
        let tasks = (0..<400).map { i in
            task(i.isMultiple(of: 2) ? alice : bob, session: "s\(i.isMultiple(of: 4) ? 0 : i)", keyId: "key-\(i % 3)")
        }
        let succeeded = try await withThrowingTaskGroup(of: TaskRecord?.self) { group in
            for task in tasks {
                group.addTask {
                    do {
                        try await store.insert(task, dedupSince: .distantPast)
                        return task
                    } catch let error as StoreError where error == .duplicateSession {
                        return nil
                    }
                }
            }
            return try await group.reduce(into: [TaskRecord]()) { if let task = $1 { $0.append(task) } }
        }
        // Sessions "s0" of alice (i % 4 == 0 are all even, so all alice's): one winner among 100.
        #expect(succeeded.count == 400 - 99)
        for tenant in [alice, bob] {
            for key in ["key-0", "key-1", "key-2"] {
                let created = try await store.usage(UsageQuery(appId: tenant.appId, subAppId: tenant.subAppId, keyId: key))
                    .map(\.created).reduce(0, +)
                #expect(created == succeeded.filter { $0.tenant == tenant && $0.keyId == key }.count, "\(tenant) \(key)")
            }
        }
        #expect(try await waitingCounted(store) == succeeded.count)
    }

    @Test func aCancelledWaiterLeavesButACancelledLeaderStillCommits() async throws {
        let store = try makeStore()
        let leaderTask = task(alice, session: "leader")
        let doomed = task(alice, session: "doomed")
        let followers = (0..<10).map { i in task(alice, session: "f\(i)") }
        let release = DispatchSemaphore(value: 0)
        let (started, didStart) = AsyncStream.makeStream(of: Void.self)
        try await withThrowingTaskGroup(of: Void.self) { leader in
            defer { release.signal() }
            leader.addTask {
                let inserted = try await store.writes.submit { db in
                    didStart.yield()
                    release.wait()
                    return try SQLiteStore.insert(leaderTask, record: RecordCoding.encode(leaderTask), dedupKey: "leader",
                                                  dedupSince: .distantPast, defaultConcurrency: 1, in: db)
                }
                #expect(inserted == InsertedTask(queuePosition: 0, isRunnable: true))
            }
            for await _ in started { break }
            // A waiter cancelled before its batch began leaves the queue and fails.
            await withTaskGroup(of: Bool.self) { cancelled in
                cancelled.addTask { (try? await store.insert(doomed, dedupSince: .distantPast)) == nil }
                await eventually { store.writes.waiting == 1 }
                cancelled.cancelAll()
                await eventually { store.writes.waiting == 0 }
                #expect(store.writes.waiting == 0)
                // Were it still waiting, it would wait for the held batch: let that go rather than hang.
                if store.writes.waiting != 0 { release.signal() }
                #expect(await cancelled.next() == true)
            }
            // The leader is cancelled while its batch commits: its batch and the next still commit.
            try await withThrowingTaskGroup(of: Int.self) { group in
                for task in followers { group.addTask { try await store.insert(task, dedupSince: .distantPast) } }
                await eventually { store.writes.waiting == followers.count }
                leader.cancelAll()
                release.signal()
                let positions = try await group.reduce(into: [Int]()) { $0.append($1) }
                #expect(positions.sorted() == Array(1...10))
            }
            try await leader.waitForAll()
        }
        #expect(try await store.task(id: leaderTask.id, tenant: alice) != nil)
        #expect(try await store.task(id: doomed.id, tenant: alice) == nil)
        for task in followers { #expect(try await store.task(id: task.id, tenant: alice) != nil) }
    }

    @Test func finishesShareBatchesAndALostLeaseFailsOnlyItsOwnFinish() async throws {
        let store = try SQLiteStore(path: StoreFixture.temporaryDirectory().appendingPathComponent("db.sqlite").path,
                                    secrets: StoreFixture.secrets, defaultConcurrency: 100)
        for index in 0..<40 { try await store.insert(task(alice, session: "f\(index)"), dedupSince: .distantPast) }
        let claimed = try await store.claim(now: Date(), leaseUntil: Date() + 60, limit: 40)
        #expect(claimed.count == 40)
        let counter = try await TaskCommitCounter.install(on: store.pool)
        // Every fourth finish names a lease the task no longer has (its worker was presumed dead).
        let results = try await insertBehindHeldBatch(store, claimed.enumerated().map { index, claim in
            var finished = claim.task
            finished.status = .succeeded
            finished.progress = 100
            finished.finishedAt = Date()
            let lease = index.isMultiple(of: 4) ? TaskLease(taskId: claim.lease.taskId, token: "stale") : claim.lease
            return { [finished] in try await store.finish(finished, lease: lease, outbox: []); return 0 }
        })
        #expect(counter.commits == 1, "the 40 finishes waiting behind the held batch commit in one transaction")
        for (index, result) in results.enumerated() {
            if index.isMultiple(of: 4) {
                #expect(throws: StoreError.leaseLost) { try result.get() }
            } else {
                #expect(throws: Never.self) { try result.get() }
            }
        }
        for (index, claim) in claimed.enumerated() {
            let status = try await store.task(id: claim.task.id, tenant: alice)?.status
            #expect(status == (index.isMultiple(of: 4) ? .processing : .succeeded), "task \(index)")
        }
        let running = try await store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT running FROM queue_tenants WHERE app_id = 1 AND sub_app_id = 1")
        }
        #expect(running == 10, "only the ten fenced tasks still count as running")
    }

    // MARK: - Helpers

    private func makeStore() throws -> SQLiteStore {
        try SQLiteStore(path: StoreFixture.temporaryDirectory().appendingPathComponent("db.sqlite").path,
                        secrets: StoreFixture.secrets, defaultConcurrency: 1)
    }

    private func task(_ tenant: Tenant, priority: Int = 0, session: String? = nil, id: TaskID? = nil,
                      keyId: String = "key") -> TaskRecord {
        TaskRecord(id: id ?? TaskID.make(for: .vod, tenant: tenant), tenant: tenant, dialect: .vod,
                   request: ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "p"), priority: priority,
                   sessionId: session, sessionContext: nil, createdAt: Date(), keyId: keyId)
    }

    /// Runs `inserts` concurrently while the batcher is held by a batch whose transaction blocks, lets that batch
    /// commit once all of them wait behind it, and returns their results in the order given.
    private func insertBehindHeldBatch(_ store: SQLiteStore, _ inserts: [Insert]) async throws -> [Result<Int, StoreError>] {
        let release = DispatchSemaphore(value: 0)
        let (started, didStart) = AsyncStream.makeStream(of: Void.self)
        return try await withThrowingTaskGroup(of: (Int, Result<Int, StoreError>)?.self) { group in
            defer { release.signal() }
            group.addTask {
                try await store.writes.submit { _ in
                    didStart.yield()
                    release.wait()
                    return nil
                }
                return nil
            }
            for await _ in started { break }
            for (index, insert) in inserts.enumerated() {
                group.addTask {
                    do {
                        return (index, .success(try await insert()))
                    } catch let error as StoreError {
                        return (index, .failure(error))
                    }
                }
            }
            await eventually { store.writes.waiting == inserts.count }
            #expect(store.writes.waiting == inserts.count)
            release.signal()
            var results = [Result<Int, StoreError>?](repeating: nil, count: inserts.count)
            for try await case let (index, result)? in group { results[index] = result }
            return results.compactMap { $0 }
        }
    }

    /// Waits until `condition` holds, for at most 20 seconds.
    private func eventually(_ condition: () -> Bool) async {
        let deadline = ContinuousClock.now + .seconds(20)
        while !condition(), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// The waiting tasks the queue bookkeeping counts.
    private func waitingCounted(_ store: SQLiteStore) async throws -> Int {
        try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(waiting), 0) FROM queue_totals") ?? 0 }
    }
}
