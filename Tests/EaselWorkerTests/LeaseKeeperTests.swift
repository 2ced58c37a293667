import EaselCore
import EaselStore
import EaselTestSupport
import Foundation
import Testing
@testable import EaselWorker

/// One renewal keeps every running task's lease; a task whose lease was taken over is stopped.
struct LeaseKeeperTests {
    let store: SQLiteStore
    let tenant = Tenant(appId: 7, subAppId: 7)

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("easel-leases-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path,
                                secrets: SecretBox(keyBytes: Array(repeating: 3, count: 32)), defaultConcurrency: 10)
    }

    private func running(_ count: Int, leaseFor seconds: TimeInterval = 5) async throws -> [ClaimedTask] {
        for _ in 0..<count {
            try await store.insert(TaskRecord(id: TaskID.make(for: .vod, tenant: tenant), tenant: tenant, dialect: .vod,
                                              request: ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "p"),
                                              priority: 0, sessionId: nil, sessionContext: nil, createdAt: Date()),
                                   dedupSince: .distantPast)
        }
        return try await store.claim(now: Date(), leaseUntil: Date() + seconds, limit: count)
    }

    @Test func aRenewalKeepsEveryHeldLeaseAndTheBodysAnswerComesBack() async throws {
        let claimed = try await running(3)
        let keeper = LeaseKeeper(store: store, lease: .seconds(3600))
        let gate = TestGate()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, task) in claimed.enumerated() {
                group.addTask {
                    try await keeper.holding(task.lease) {
                        await gate.wait()
                        return index
                    }
                }
            }
            try await waitUntil(timeout: .seconds(10), "three leases held") { keeper.count == 3 }
            await keeper.renew()
            // Renewed for an hour: a recovery of leases that end within ten minutes takes none of them.
            let recovered = try await store.recoverExpiredLeases(expiredBefore: Date() + 600, now: Date(), maxAttempts: 5) { _ in [] }
            #expect(recovered.requeued == 0)
            gate.open()
            var answers: Set<Int> = []
            for try await answer in group { answers.insert(answer) }
            #expect(answers == [0, 1, 2])
        }
        #expect(keeper.count == 0, "a lease is let go when its job ends")
    }

    @Test func aJobWhoseLeaseWasTakenOverIsCancelledAndEndsWithLeaseLost() async throws {
        let claimed = try #require(try await running(2).first)
        let keeper = LeaseKeeper(store: store, lease: .seconds(3600))
        let cancelled = TestGate()
        let started = TestGate()
        let outcome = try await withThrowingTaskGroup(of: Result<Void, any Error>.self) { group in
            group.addTask {
                do {
                    try await keeper.holding(claimed.lease) {
                        started.open()
                        // Waits until cancelled, as an upstream call does (a keeper that never stops it fails the
                        // test after 30 s instead of hanging it).
                        do {
                            try await Task.sleep(for: .seconds(30))
                        } catch {
                            cancelled.open()
                            throw error
                        }
                    }
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            await started.wait()
            // This worker is presumed dead: its lease ends and another claim takes the task over.
            _ = try await store.recoverExpiredLeases(expiredBefore: .distantFuture, now: Date(), maxAttempts: 5) { _ in [] }
            let owners = try await store.claim(now: Date(), leaseUntil: Date() + 60, limit: 2)
            #expect(owners.contains { $0.task.id == claimed.task.id })
            await keeper.renew()
            return try #require(try await group.next())
        }
        #expect(throws: StoreError.leaseLost) { try outcome.get() }
        #expect(cancelled.isOpen, "the job was stopped")
        #expect(keeper.count == 0)
        let task = try #require(try await store.task(id: claimed.task.id, tenant: tenant))
        #expect(task.status == .processing, "the new owner's run is untouched")
    }

    @Test func aBodyThatFailsOrEndsFirstIsAnsweredWithoutARenewal() async throws {
        let claimed = try #require(try await running(1).first)
        let keeper = LeaseKeeper(store: store, lease: .seconds(3600))
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await keeper.holding(claimed.lease) { throw Refused() } }
        #expect(try await keeper.holding(claimed.lease) { 42 } == 42)
        #expect(keeper.count == 0)
    }
}
