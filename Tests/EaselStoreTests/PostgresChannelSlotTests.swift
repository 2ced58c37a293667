import EaselCore
import Foundation
import Testing
@testable import EaselStore

/// Channel slots in PostgreSQL: nodes taking slots of one channel at once never hold more than its limit, a slot is
/// freed only by its holder's lease, and slots of tasks that stopped running are reclaimed.
@Suite(.enabled(if: StoreKind.available.contains(.postgres)), .timeLimit(.minutes(1)))
struct PostgresChannelSlotTests {
    let tenant = Tenant(appId: 7, subAppId: 7)

    /// Inserts and claims `count` tasks (the claims' leases are the slot holders).
    func runningTasks(_ count: Int, on store: PostgresStore, leaseFor seconds: TimeInterval = 600) async throws -> [ClaimedTask] {
        for index in 0..<count {
            let task = TaskRecord(id: "slot-\(UUID().uuidString)-\(index)", tenant: tenant, dialect: .rest,
                                  request: ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "p"), priority: 0,
                                  sessionId: nil, sessionContext: nil, createdAt: Date())
            try await store.insert(task, dedupSince: .distantPast)
        }
        return try await store.claim(now: Date(), leaseUntil: Date() + seconds, limit: count)
    }

    @Test func nodesTakingSlotsAtOnceHoldNoMoreThanTheLimit() async throws {
        let database = try PostgresTestCluster.shared().createDatabase()
        try await withNodes(2, database: database, defaultConcurrency: 50) { nodes in
            let running = try await runningTasks(20, on: nodes[0])
            #expect(running.count == 20)
            let slots = try await withThrowingTaskGroup(of: Int?.self) { group in
                for (index, claimed) in running.enumerated() {
                    group.addTask {
                        try await nodes[index % 2].acquireChannelSlot(channel: "c", limit: 5, taskId: claimed.lease.taskId,
                                                                      leaseToken: claimed.lease.token, now: Date())
                    }
                }
                return try await group.reduce(into: [Int?]()) { $0.append($1) }
            }
            #expect(slots.compactMap { $0 }.sorted() == [0, 1, 2, 3, 4], "five distinct slots, fifteen refusals")
            #expect(try await nodes[1].channelSlotsHeld(channel: "c") == 5)
            #expect(try await nodes[1].acquireChannelSlot(channel: "other", limit: 1, taskId: running[0].lease.taskId,
                                                         leaseToken: running[0].lease.token, now: Date()) == 0,
                    "channels are counted apart")
        }
    }

    @Test func onlyTheHoldersLeaseFreesASlot() async throws {
        let database = try PostgresTestCluster.shared().createDatabase()
        try await withNodes(1, database: database, defaultConcurrency: 50) { nodes in
            let store = nodes[0]
            let running = try await runningTasks(2, on: store)
            let (first, second) = (running[0].lease, running[1].lease)
            let slot = try #require(try await store.acquireChannelSlot(channel: "c", limit: 1, taskId: first.taskId,
                                                                     leaseToken: first.token, now: Date()))
            try await store.releaseChannelSlot(channel: "c", slot: slot, taskId: first.taskId, leaseToken: "stale-token")
            #expect(try await store.channelSlotsHeld(channel: "c") == 1, "a stale token frees nothing")
            #expect(try await store.acquireChannelSlot(channel: "c", limit: 1, taskId: second.taskId,
                                                       leaseToken: second.token, now: Date()) == nil)
            try await store.releaseChannelSlot(channel: "c", slot: slot, taskId: first.taskId, leaseToken: first.token)
            #expect(try await store.acquireChannelSlot(channel: "c", limit: 1, taskId: second.taskId,
                                                       leaseToken: second.token, now: Date()) == slot)
        }
    }

    @Test func slotsOfTasksThatStoppedRunningAreReclaimed() async throws {
        let database = try PostgresTestCluster.shared().createDatabase()
        try await withNodes(1, database: database, defaultConcurrency: 50) { nodes in
            let store = nodes[0]
            // Time is passed in, never waited for: the holders' leases last 600 s, the third task's an hour, and
            // "later" is 1,200 s from now.
            let running = try await runningTasks(2, on: store, leaseFor: 600)
            let third = try #require(try await runningTasks(1, on: store, leaseFor: 3_600).first).lease
            for claimed in running {
                _ = try await store.acquireChannelSlot(channel: "c", limit: 2, taskId: claimed.lease.taskId,
                                                       leaseToken: claimed.lease.token, now: Date())
            }
            // Both holders still run: nothing to reclaim, the third task waits.
            #expect(try await store.reclaimChannelSlots(now: Date()) == 0)
            #expect(try await store.acquireChannelSlot(channel: "c", limit: 2, taskId: third.taskId,
                                                       leaseToken: third.token, now: Date()) == nil)
            // The first holder finishes without giving its slot back (its node died between the two); the second's
            // lease ends (its node died mid-call).
            var finished = running[0].task
            finished.status = .succeeded
            finished.finishedAt = Date()
            try await store.finish(finished, lease: running[0].lease, outbox: [])
            let later = Date() + 1_200
            #expect(try await store.acquireChannelSlot(channel: "c", limit: 2, taskId: third.taskId,
                                                       leaseToken: third.token, now: later) != nil,
                    "a full channel reclaims the slots of tasks no longer running, for the waiting one")
            #expect(try await store.channelSlotsHeld(channel: "c") == 1, "both stale slots were freed, the third holds one")
            #expect(try await store.reclaimChannelSlots(now: later) == 0, "a live holder's slot is never reclaimed")
        }
    }
}
