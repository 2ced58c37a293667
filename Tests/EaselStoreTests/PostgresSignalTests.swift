import EaselCore
import Foundation
import Synchronization
import Testing
@testable import EaselStore

/// LISTEN/NOTIFY between nodes: a node hears of work queued and tasks finished on another one.
@Suite(.enabled(if: StoreKind.available.contains(.postgres)), .timeLimit(.minutes(1)))
struct PostgresSignalTests {
    @Test func anotherNodeHearsOfQueuedAndFinishedTasks() async throws {
        let database = try PostgresTestCluster.shared().createDatabase()
        try await withNodes(2, database: database, defaultConcurrency: 1) { nodes in
            let heard = HeardSignals()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await nodes[0].listen { signal in heard.list.withLock { $0.append(signal) } } }
                // LISTEN takes effect once the listener's connection has run it: queue tasks until one is heard.
                var queued: [TaskRecord] = []
                let deadline = ContinuousClock.now + .seconds(30)
                while !heard.list.withLock({ $0.contains(.queued) }) {
                    #expect(ContinuousClock.now < deadline, "no queued signal heard")
                    guard ContinuousClock.now < deadline else { break }
                    let task = Self.task(Tenant(appId: Int64(100 + queued.count), subAppId: 1))
                    try await nodes[1].insert(task, dedupSince: .distantPast)
                    queued.append(task)
                    try await Task.sleep(for: .milliseconds(100))
                }
                let claimed = try #require(try await nodes[1].claim(now: Date(), leaseUntil: Date() + 60, limit: 1).first)
                var done = claimed.task
                done.status = .succeeded
                done.finishedAt = Date()
                try await nodes[1].finish(done, lease: claimed.lease, outbox: [])
                let expected = StoreSignal.finished(taskId: done.id, tenant: done.tenant)
                while !heard.list.withLock({ $0.contains(expected) }), ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(heard.list.withLock { $0.contains(expected) }, "heard \(heard.list.withLock { $0 })")
                group.cancelAll()
            }
        }
    }

    @Test func payloadsRoundTrip() {
        for signal in [StoreSignal.queued, .finished(taskId: "1-AigcImageTask-abc|def", tenant: Tenant(appId: 7, subAppId: 8))] {
            #expect(PostgresStore.signal(from: PostgresStore.payload(of: signal)) == signal)
        }
        #expect(PostgresStore.signal(from: "finished|x|1|id") == nil)
        #expect(PostgresStore.signal(from: "") == nil)
    }

    static func task(_ tenant: Tenant) -> TaskRecord {
        TaskRecord(id: TaskID.make(for: .vod, tenant: tenant), tenant: tenant, dialect: .vod,
                   request: ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "p"), priority: 0,
                   sessionId: nil, sessionContext: nil, createdAt: Date())
    }
}

/// The signals a listener heard, shared with the test body.
private final class HeardSignals: Sendable {
    let list = Mutex<[StoreSignal]>([])
}
