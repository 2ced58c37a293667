import EaselCore
import Foundation
import Testing
@testable import EaselStore

/// Usage is counted in the transactions that change task states: once per creation, terminal outcome and first
/// abort, never for a write the lease fence refused, on the UTC day of the change.
@Suite(.timeLimit(.minutes(2))) struct UsageContractTests {
    // 2026-03-01T23:59:30Z, 30 seconds before a UTC day ends.
    static let dayOne = Date(timeIntervalSince1970: 1_772_409_570)
    static let dayTwo = dayOne + 10 * 3600
    static let dayThree = dayOne + 34 * 3600

    @Test(arguments: StoreKind.available) func everyStateChangeIsCountedOnceOnItsUTCDay(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        let (alice, bob) = (fixture.alice, fixture.bob)
        let succeeds = fixture.makeTask(alice, at: Self.dayOne, keyId: "AKIDa")
        let fails = fixture.makeTask(alice, at: Self.dayOne, keyId: "AKIDa")
        let aborted = fixture.makeTask(alice, at: Self.dayOne, keyId: "AKIDa")
        let fenced = fixture.makeTask(alice, at: Self.dayOne)
        let interrupted = fixture.makeTask(bob, at: Self.dayOne, model: ("GEM", "3.0"))
        for task in [succeeds, fails, aborted, fenced, interrupted] { try await store.insert(task, dedupSince: .distantPast) }
        _ = try await store.abort(id: aborted.id, tenant: alice, at: Self.dayTwo) { _ in [] }
        _ = try await store.abort(id: aborted.id, tenant: alice, at: Self.dayTwo + 5) { _ in [] }

        let first = try await claimAll(store, at: Self.dayTwo)
        #expect(Set(first.keys) == [succeeds.id, fails.id, fenced.id, interrupted.id])
        try await finish(first[succeeds.id]!, in: store, as: .succeeded, outputs: 2, at: Self.dayTwo + 12.5)
        try await finish(first[fails.id]!, in: store, as: .failed, at: Self.dayTwo + 3)
        // Their workers die: both go back to the queue, and the old leases are stale from now on.
        let requeued = try await store.recoverExpiredLeases(expiredBefore: .distantFuture, now: Self.dayTwo + 100, maxAttempts: 2) { _ in [] }
        #expect(requeued.requeued == 2)
        let second = try await claimAll(store, at: Self.dayThree)
        await #expect(throws: StoreError.leaseLost) {
            try await finish(first[fenced.id]!, in: store, as: .succeeded, outputs: 4, at: Self.dayThree + 1)
        }
        try await finish(second[fenced.id]!, in: store, as: .succeeded, outputs: 1, at: Self.dayThree + 7.25)
        let recovered = try await store.recoverExpiredLeases(expiredBefore: .distantFuture, now: Self.dayThree + 60, maxAttempts: 2) { _ in [] }
        #expect(recovered.failed.map(\.id) == [interrupted.id])

        let (gg, gem) = ("GG-2.5", "GEM-3.0")
        let expected = [
            UsageRow(day: "2026-03-01", tenant: alice, keyId: "", model: gg, created: 1),
            UsageRow(day: "2026-03-01", tenant: alice, keyId: "AKIDa", model: gg, created: 3),
            UsageRow(day: "2026-03-01", tenant: bob, keyId: "", model: gem, created: 1),
            UsageRow(day: "2026-03-02", tenant: alice, keyId: "AKIDa", model: gg, succeeded: 1, failed: 1, aborted: 1, images: 2,
                     upstreamSeconds: 15.5),
            UsageRow(day: "2026-03-03", tenant: alice, keyId: "", model: gg, succeeded: 1, images: 1, upstreamSeconds: 7.25),
            UsageRow(day: "2026-03-03", tenant: bob, keyId: "", model: gem, failed: 1),
        ]
        #expect(try await store.usage(UsageQuery()) == expected)
        #expect(try await store.usage(UsageQuery(keyId: "AKIDa")) == expected.filter { $0.keyId == "AKIDa" })
        #expect(try await store.usage(UsageQuery(appId: bob.appId, subAppId: bob.subAppId)) == expected.filter { $0.tenant == bob })
        #expect(try await store.usage(UsageQuery(appId: alice.appId, subAppId: 99)).isEmpty)
        #expect(try await store.usage(UsageQuery(model: gem)) == expected.filter { $0.model == gem })
        #expect(try await store.usage(UsageQuery(since: "2026-03-02", until: "2026-03-02")) == [expected[3]])
        #expect(try await store.usage(UsageQuery(since: "2026-03-03")) == Array(expected[4...]))
    }

    @Test(arguments: StoreKind.available) func concurrentCreatesAreAllCounted(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<24 {
                group.addTask {
                    let tenant = index.isMultiple(of: 2) ? fixture.alice : fixture.bob
                    try await fixture.store.insert(fixture.makeTask(tenant, at: Self.dayTwo, keyId: "AKIDk"), dedupSince: .distantPast)
                }
            }
            try await group.waitForAll()
        }
        let rows = try await fixture.store.usage(UsageQuery(keyId: "AKIDk"))
        #expect(rows.map(\.created) == [12, 12] && rows.map(\.tenant) == [fixture.alice, fixture.bob])
    }

    /// Claims every waiting task at `now`, by task id.
    private func claimAll(_ store: any StoreFixture.Store, at now: Date) async throws -> [TaskID: ClaimedTask] {
        let claimed = try await store.claim(now: now, leaseUntil: now + 60, limit: 100)
        return Dictionary(uniqueKeysWithValues: claimed.map { ($0.task.id, $0) })
    }

    private func finish(_ claimed: ClaimedTask, in store: any StoreFixture.Store, as status: TaskStatus, outputs: Int = 0,
                        at finishedAt: Date) async throws {
        var task = claimed.task
        task.status = status
        task.finishedAt = finishedAt
        task.progress = 100
        task.outputs = (0..<outputs).map { index in
            TaskOutput(index: index, blobKey: "outputs/\(task.id)-\(index).png", fileId: nil, fileType: "png",
                       contentType: "image/png", width: 1, height: 1, size: 1, md5: "", storageMode: .permanent, expiresAt: nil)
        }
        if status == .failed { task.errorCode = "FailedOperation" }
        try await store.finish(task, lease: claimed.lease, outbox: [])
    }
}
