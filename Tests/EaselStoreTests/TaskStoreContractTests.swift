import EaselCore
import Foundation
import Testing
@testable import EaselStore

/// The queue semantics every store implements: ordering, per-app concurrency, dedup, abort, leases and recovery.
@Suite(.timeLimit(.minutes(2))) struct TaskStoreContractTests {
    @Test(arguments: StoreKind.available) func claimsHigherPriorityFirstThenFIFO(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let first = try await fixture.queued(fixture.alice)
        let second = try await fixture.queued(fixture.bob)
        let urgent = try await fixture.queued(fixture.alice, priority: 10)
        #expect(try await fixture.claim()?.task.id == urgent.id)
        #expect(try await fixture.claim()?.task.id == first.id)
        #expect(try await fixture.claim()?.task.id == second.id)
        #expect(try await fixture.claim() == nil)
    }

    @Test(arguments: StoreKind.available) func batchClaimsKeepTheOrder(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        var expected: [TaskID] = []
        for priority in [0, 5, 0, 5, -3] { expected.append(try await fixture.queued(priority == 0 ? fixture.alice : fixture.bob, priority: priority).id) }
        let claimed = try await fixture.store.claim(now: Date(), leaseUntil: Date() + 60, limit: 10)
        #expect(claimed.map(\.task.id) == [expected[1], expected[3], expected[0], expected[2], expected[4]])
        #expect(Set(claimed.map(\.lease.token)).count == 5)
        #expect(claimed.allSatisfy { $0.task.status == .processing && $0.task.attempts == 1 && $0.task.startedAt != nil })
    }

    @Test(arguments: StoreKind.available) func perAppConcurrencyLetsOtherAppsRun(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind, defaultConcurrency: 1)
        try await fixture.queued(fixture.alice)
        try await fixture.queued(fixture.alice)
        let bobs = try await fixture.queued(fixture.bob)
        let running = try #require(try await fixture.claim())
        #expect(running.task.tenant == fixture.alice)
        // Alice is at her limit of 1, so Bob's later task runs next.
        #expect(try await fixture.claim()?.task.id == bobs.id)
        #expect(try await fixture.claim() == nil)
        try await fixture.store.setConcurrency(2, for: fixture.alice)
        let second = try #require(try await fixture.claim())
        #expect(second.task.tenant == fixture.alice)
        #expect(try await fixture.claim() == nil)
        // Finishing frees a slot; with nothing left waiting there is still nothing to claim.
        try await fixture.finish(running)
        #expect(try await fixture.claim() == nil)
        try await fixture.store.setConcurrency(0, for: fixture.bob)
        try await fixture.queued(fixture.bob)
        #expect(try await fixture.claim() == nil)
        try await fixture.store.setConcurrency(nil, for: fixture.bob)
        #expect(try await fixture.claim() == nil, "bob's first task still runs; the default limit is 1")
    }

    @Test(arguments: StoreKind.available) func anInsertSaysWhetherItsTaskCanRunNow(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind, defaultConcurrency: 1)
        func enqueue(_ tenant: Tenant, priority: Int = 0) async throws -> Bool {
            try await fixture.store.enqueue(fixture.makeTask(tenant, priority: priority), dedupKey: nil,
                                            dedupSince: .distantPast).isRunnable
        }
        #expect(try await enqueue(fixture.alice), "the head of an idle tenant")
        #expect(try await enqueue(fixture.alice), "behind Alice's better task, which can run: a claim finds work")
        #expect(try await enqueue(fixture.alice, priority: 5), "a new best task of a tenant with room")
        _ = try #require(try await fixture.claim())
        #expect(try await !enqueue(fixture.alice, priority: 9), "Alice is at her limit of one, whatever the priority")
        #expect(try await !enqueue(fixture.alice), "still at her limit")
        #expect(try await enqueue(fixture.bob), "another tenant's task")
        try await fixture.store.setConcurrency(3, for: fixture.alice)
        #expect(try await enqueue(fixture.alice), "room again: her waiting tasks can run")
    }

    @Test(arguments: StoreKind.available) func concurrentDuplicateSessionIdsCreateExactlyOneTask(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (try? await fixture.store.insert(fixture.makeTask(fixture.alice, session: "same"), dedupSince: Date() - 3 * 86_400)) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 1)
        #expect(try await fixture.store.taskId(sessionId: "same", tenant: fixture.alice) != nil)
        // Another app may use the same SessionId, and an expired one may be reused.
        try await fixture.store.insert(fixture.makeTask(fixture.bob, session: "same"), dedupSince: Date() - 3 * 86_400)
        try await fixture.store.insert(fixture.makeTask(fixture.alice, session: "same"), dedupSince: Date() + 1)
        // Purged keys are forgotten.
        try await fixture.store.purgeSessions(before: Date() + 10)
        #expect(try await fixture.store.taskId(sessionId: "same", tenant: fixture.alice) == nil)
    }

    @Test(arguments: StoreKind.available) func abortOnlyWaitingTasksOfTheOwner(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let (alice, bob) = (fixture.alice, fixture.bob)
        let task = try await fixture.queued(alice)
        await #expect(throws: StoreError.notFound) { try await fixture.store.abort(id: task.id, tenant: bob, at: Date()) { _ in [] } }
        let aborted = try await fixture.store.abort(id: task.id, tenant: alice, at: Date()) { _ in [] }
        #expect(aborted.status == .aborted && aborted.errorCode == "OperationCanceled")
        // A retried abort is answered like the first; a task that started cannot be aborted.
        let again = try await fixture.store.abort(id: task.id, tenant: alice, at: Date()) { _ in [] }
        #expect(again.id == aborted.id && again.status == .aborted && again.errorCode == aborted.errorCode)
        #expect(try await fixture.claim() == nil)
        let started = try await fixture.queued(alice)
        #expect(try await fixture.claim()?.task.id == started.id)
        await #expect(throws: StoreError.conflict) { try await fixture.store.abort(id: started.id, tenant: alice, at: Date()) { _ in [] } }
    }

    @Test(arguments: StoreKind.available) func expiredLeasesAreRequeuedThenFailed(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let task = try await fixture.queued(fixture.alice)
        _ = try await fixture.claim()
        // A live lease is left alone.
        let early = try await fixture.store.recoverExpiredLeases(expiredBefore: Date(), now: Date(), maxAttempts: 2) { _ in [] }
        #expect(early.requeued == 0 && early.failed.isEmpty)
        let first = try await fixture.store.recoverExpiredLeases(expiredBefore: .distantFuture, now: Date(), maxAttempts: 2) { _ in [] }
        #expect(first.requeued == 1 && first.failed.isEmpty)
        #expect(try await fixture.store.task(id: task.id, tenant: fixture.alice)?.status == .waiting)
        #expect(try await fixture.claim()?.task.attempts == 2)
        let second = try await fixture.store.recoverExpiredLeases(expiredBefore: .distantFuture, now: Date(), maxAttempts: 2) { _ in [.pullEvent] }
        #expect(second.requeued == 0 && second.failed.map(\.id) == [task.id])
        let failed = try #require(try await fixture.store.task(id: task.id, tenant: fixture.alice))
        #expect(failed.status == .failed && failed.errorCode == "InternalError")
        #expect(try await fixture.store.pullEvents(tenant: fixture.alice, now: Date() + 1, visibility: .seconds(30), limit: 16).count == 1)
    }

    @Test(arguments: StoreKind.available) func everyWriteIsFencedByTheLease(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let task = try await fixture.queued(fixture.alice)
        let stale = try #require(try await fixture.claim())
        try await fixture.store.heartbeat(stale.lease, progress: 30, leaseUntil: Date() + 60)
        try await fixture.store.checkpoint(stale.lease, resumeToken: "upstream-1")
        // The worker is presumed dead; another claim takes the task over.
        _ = try await fixture.store.recoverExpiredLeases(expiredBefore: .distantFuture, now: Date(), maxAttempts: 5) { _ in [] }
        let owner = try #require(try await fixture.claim())
        #expect(owner.task.id == task.id && owner.lease != stale.lease)
        #expect(owner.task.run.resumeToken == "upstream-1", "the checkpoint survives the takeover")
        await #expect(throws: StoreError.leaseLost) { try await fixture.store.heartbeat(stale.lease, progress: 90, leaseUntil: Date() + 60) }
        await #expect(throws: StoreError.leaseLost) { try await fixture.store.checkpoint(stale.lease, resumeToken: "upstream-2") }
        await #expect(throws: StoreError.leaseLost) { try await fixture.finish(stale, status: .failed) }
        await #expect(throws: StoreError.leaseLost) { try await fixture.store.release(stale.lease) }
        try await fixture.store.heartbeat(owner.lease, progress: 50, leaseUntil: Date() + 60)
        try await fixture.finish(owner)
        let done = try #require(try await fixture.store.task(id: task.id, tenant: fixture.alice))
        #expect(done.status == .succeeded && done.progress == 100 && done.run.resumeToken == "upstream-1")
        await #expect(throws: StoreError.leaseLost) { try await fixture.finish(owner) }
    }

    @Test(arguments: StoreKind.available) func renewingLeasesExtendsHeldOnesAndReportsTheOthers(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        for _ in 0..<4 { try await fixture.queued(fixture.alice) }
        let running = try await fixture.store.claim(now: Date(), leaseUntil: Date() + 5, limit: 4)
        #expect(running.count == 4)
        let (kept, finished, released, taken) = (running[0], running[1], running[2], running[3])
        try await fixture.finish(finished)
        try await fixture.store.release(released.lease)
        // `taken`'s worker is presumed dead: its lease ends and another claim takes the task over.
        try await fixture.store.heartbeat(kept.lease, progress: 10, leaseUntil: Date() + 3600)
        _ = try await fixture.store.recoverExpiredLeases(expiredBefore: Date() + 60, now: Date(), maxAttempts: 5) { _ in [] }
        let owners = try await fixture.store.claim(now: Date(), leaseUntil: Date() + 5, limit: 4)
        let newOwner = try #require(owners.first { $0.task.id == taken.task.id })

        let lost = try await fixture.store.renewLeases(running.map(\.lease) + [newOwner.lease], until: Date() + 3600)
        #expect(lost == [finished.lease, released.lease, taken.lease])
        #expect(try await fixture.store.renewLeases([], until: Date() + 3600).isEmpty)
        // Renewed leases outlive a recovery that would have taken them an hour earlier.
        let recovered = try await fixture.store.recoverExpiredLeases(expiredBefore: Date() + 600, now: Date(), maxAttempts: 5) { _ in [] }
        #expect(recovered.requeued == owners.count - 1, "only the re-claimed tasks that were not renewed expire")
        #expect(try await fixture.store.task(id: newOwner.task.id, tenant: fixture.alice)?.status == .processing)
        #expect(try await fixture.store.task(id: kept.task.id, tenant: fixture.alice)?.status == .processing)
    }

    @Test(arguments: StoreKind.available) func releaseKeepsTheTasksPlaceAndAttemptCount(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind, defaultConcurrency: 1)
        let first = try await fixture.queued(fixture.alice)
        let second = try await fixture.queued(fixture.alice)
        let claimed = try #require(try await fixture.claim())
        #expect(claimed.task.id == first.id)
        #expect(try await fixture.claim() == nil)
        // Released from a cancelled task, as at shutdown: it must still reach the store.
        let lease = claimed.lease
        let store = fixture.store
        try await inCancelledTask { try await store.release(lease) }
        let back = try #require(try await fixture.store.task(id: first.id, tenant: fixture.alice))
        #expect(back.status == .waiting && back.attempts == 0)
        #expect(try await fixture.store.queuePosition(of: back) == 0)
        #expect(try await fixture.claim()?.task.id == first.id, "back in its old place, ahead of \(second.id)")
    }

    @Test(arguments: StoreKind.available) func queuePositionsCountTasksAhead(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind, defaultConcurrency: 100)
        var positions: [Int] = []
        var tasks: [TaskRecord] = []
        for (tenant, priority) in [(fixture.alice, 0), (fixture.bob, 0), (fixture.alice, 5), (fixture.bob, 0), (fixture.alice, -1)] {
            let task = fixture.makeTask(tenant, priority: priority)
            positions.append(try await fixture.store.insert(task, dedupSince: .distantPast))
            tasks.append(task)
        }
        // Each new task is behind every waiting task of its priority and above.
        #expect(positions == [0, 1, 0, 3, 4])
        var now: [Int] = []
        for task in tasks { now.append(try await fixture.store.queuePosition(of: task)) }
        #expect(now == [1, 2, 0, 3, 4])
        #expect(try await fixture.claim()?.task.id == tasks[2].id)
        #expect(try await fixture.claim()?.task.id == tasks[0].id)
        #expect(try await fixture.store.queuePosition(of: tasks[3]) == 1)
        #expect(try await fixture.store.queuePosition(of: tasks[4]) == 2)
        _ = try await fixture.store.abort(id: tasks[3].id, tenant: fixture.bob, at: Date()) { _ in [] }
        #expect(try await fixture.store.queuePosition(of: tasks[4]) == 1)
    }

    @Test(arguments: StoreKind.available) func tasksAreInvisibleToOtherTenants(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let task = try await fixture.queued(fixture.alice)
        #expect(try await fixture.store.task(id: task.id, tenant: fixture.bob) == nil)
        #expect(try await fixture.store.task(id: task.id, tenant: fixture.alice)?.id == task.id)
        #expect(try await fixture.store.tasks(tenant: fixture.bob, statuses: nil, since: .distantPast, limit: 10, offset: 0).isEmpty)
        #expect(try await fixture.store.tasks(tenant: fixture.alice, statuses: [.waiting], since: .distantPast, limit: 10, offset: 0).count == 1)
    }

    @Test(arguments: StoreKind.available) func expiredBlobsAreListedAndForgotten(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        try await fixture.queued(fixture.alice)
        let claimed = try #require(try await fixture.claim())
        let output = TaskOutput(index: 0, blobKey: "outputs/a.png", fileId: nil, fileType: "png", contentType: "image/png",
                                width: 1, height: 1, size: 1, md5: "", storageMode: .temporary, expiresAt: Date() - 1)
        try await fixture.finish(claimed, outputs: [output])
        #expect(try await fixture.store.expiredBlobs(before: Date(), limit: 10) == ["outputs/a.png"])
        try await fixture.store.forgetBlobs(["outputs/a.png"])
        #expect(try await fixture.store.expiredBlobs(before: Date(), limit: 10).isEmpty)
        #expect(try await fixture.store.purgeTasks(finishedBefore: Date() + 1, dialect: .mps) == 0)
        #expect(try await fixture.store.purgeTasks(finishedBefore: Date() + 1, dialect: .vod) == 1)
    }

    @Test(arguments: StoreKind.available) func pullEventsHideUntilConfirmedOrTheWindowLapses(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let (store, alice) = (fixture.store, fixture.alice)
        let task = try await fixture.queued(alice)
        try await fixture.finish(try #require(try await fixture.claim()),
                                 outbox: [.pullEvent, .delivery(url: "https://example.com/hook", format: .vodEvent)])
        let now = Date() + 1
        let pulled = try await store.pullEvents(tenant: alice, now: now, visibility: .seconds(30), limit: 16)
        #expect(pulled.map(\.taskId) == [task.id])
        #expect(try await store.pullEvents(tenant: fixture.bob, now: now, visibility: .seconds(30), limit: 16).isEmpty)
        #expect(try await store.pullEvents(tenant: alice, now: now + 1, visibility: .seconds(30), limit: 16).isEmpty)
        // Not confirmed within 30 s: pullable again, and the old pull can no longer confirm.
        let again = try await store.pullEvents(tenant: alice, now: now + 31, visibility: .seconds(30), limit: 16)
        #expect(again.map(\.handle) == pulled.map(\.handle))
        #expect(try await store.confirmEvents(handles: ["nope"], tenant: alice, now: now + 32) == ["nope"])
        #expect(try await store.confirmEvents(handles: again.map(\.handle), tenant: alice, now: now + 32).isEmpty)
        #expect(try await store.pullEvents(tenant: alice, now: now + 100, visibility: .seconds(30), limit: 16).isEmpty)
    }

    @Test(arguments: StoreKind.available) func deliveriesAreClaimedOnceAndCanBeReplayed(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let (store, alice) = (fixture.store, fixture.alice)
        let task = try await fixture.queued(alice)
        try await fixture.finish(try #require(try await fixture.claim()), status: .failed,
                                 outbox: [.delivery(url: "https://example.com/hook", format: .restWebhook)])
        let now = Date() + 1
        var claimed = try await store.claimDueDeliveries(now: now, leaseUntil: now + 60, limit: 10)
        #expect(claimed.count == 1 && claimed[0].taskId == task.id && claimed[0].status == .pending)
        #expect(try await store.claimDueDeliveries(now: now, leaseUntil: now + 60, limit: 10).isEmpty)
        claimed[0].attempts = 11
        claimed[0].status = .dead
        claimed[0].lastError = "HTTP 500"
        try await store.recordAttempt(claimed[0])
        #expect(try await store.deliveries(tenant: alice, status: .dead, limit: 10).map(\.id) == [claimed[0].id])
        #expect(try await store.replayDelivery(id: claimed[0].id, tenant: fixture.bob, now: now) == false)
        #expect(try await store.replayDelivery(id: claimed[0].id, tenant: alice, now: now))
        let replayed = try await store.claimDueDeliveries(now: now, leaseUntil: now + 60, limit: 10)
        #expect(replayed.map(\.id) == [claimed[0].id])
        #expect(replayed.first?.attempts == 0 && replayed.first?.status == .pending)
    }
}
