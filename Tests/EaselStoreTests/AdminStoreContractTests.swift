import EaselCore
import Foundation
import Testing
@testable import EaselStore

/// What the admin API reads and writes in the store: app records (whose concurrency is the queue's limit),
/// statistics for metrics and readiness, and installation settings.
@Suite(.timeLimit(.minutes(2))) struct AdminStoreContractTests {
    @Test(arguments: StoreKind.available) func appRecordsRoundTripAndAreReplacedWhole(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        let created = Date(timeIntervalSince1970: 1_772_409_570.25)
        let full = AppRecord(tenant: fixture.bob, name: "Bob's app", concurrency: 3, createRatePerSecond: 2.5,
                             callbackURL: "https://bob.example/vod", webhookURL: "https://bob.example/hook", bucket: "bob-out",
                             bucketRegion: "ap-guangzhou", bucketPrefix: "gen/", createdAt: created, updatedAt: created)
        let bare = AppRecord(tenant: fixture.alice, createdAt: created, updatedAt: created + 1)
        try await store.saveApp(full)
        try await store.saveApp(bare)
        #expect(try await store.app(fixture.bob) == full)
        #expect(try await store.app(fixture.alice) == bare)
        #expect(try await store.app(Tenant(appId: 1, subAppId: 2)) == nil)
        #expect(try await store.apps() == [bare, full])
        var changed = full
        (changed.name, changed.concurrency, changed.bucket, changed.updatedAt) = (nil, nil, nil, created + 60)
        try await store.saveApp(changed)
        #expect(try await store.app(fixture.bob) == changed)
        #expect(try await store.apps().count == 2)
    }

    @Test(arguments: StoreKind.available) func anAppsConcurrencyIsItsQueueLimit(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind, defaultConcurrency: 10)
        let alice = fixture.alice
        var record = AppRecord(tenant: alice, concurrency: 1, createdAt: Date(), updatedAt: Date())
        try await fixture.store.saveApp(record)
        for _ in 0..<4 { try await fixture.queued(alice) }
        let bobs = try await fixture.queued(fixture.bob)
        #expect(try await fixture.claim()?.task.tenant == alice)
        #expect(try await fixture.claim()?.task.id == bobs.id, "alice is at her limit of 1")
        #expect(try await fixture.claim() == nil)
        record.concurrency = 2
        try await fixture.store.saveApp(record)
        #expect(try await fixture.claim()?.task.tenant == alice)
        #expect(try await fixture.claim() == nil)
        record.concurrency = 0
        try await fixture.store.saveApp(record)
        #expect(try await fixture.claim() == nil)
        // Cleared: the store's default of 10 applies again.
        record.concurrency = nil
        try await fixture.store.saveApp(record)
        #expect(try await fixture.store.claim(now: Date(), leaseUntil: Date() + 60, limit: 10).count == 2)
    }

    @Test(arguments: StoreKind.available) func statisticsMatchTheQueueAndTheOutbox(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind, defaultConcurrency: 10)
        let store = fixture.store
        try await store.ping()
        #expect(try await store.queueStatistics() == QueueStatistics(waiting: [:], running: [:]))
        for (tenant, priority) in [(fixture.alice, 5), (fixture.alice, 0), (fixture.bob, 0), (fixture.bob, 0), (fixture.bob, -3)] {
            try await fixture.queued(tenant, priority: priority)
        }
        let claimed = try await store.claim(now: Date(), leaseUntil: Date() + 60, limit: 2)
        #expect(claimed.map(\.task.priority) == [5, 0])
        #expect(try await store.queueStatistics() == QueueStatistics(waiting: [0: 2, -3: 1], running: [5: 1, 0: 1]))
        try await fixture.finish(claimed[0], outbox: [.pullEvent, .delivery(url: "https://a.example/1", format: .vodEvent)])
        try await fixture.finish(claimed[1], status: .failed, outbox: [.pullEvent, .delivery(url: "https://a.example/2", format: .restWebhook)])
        #expect(try await store.queueStatistics() == QueueStatistics(waiting: [0: 2, -3: 1], running: [:]))
        var deliveries = try await store.claimDueDeliveries(now: Date() + 1, leaseUntil: Date() + 60, limit: 10)
        #expect(deliveries.count == 2)
        deliveries[0].status = .dead
        try await store.recordAttempt(deliveries[0])
        let events = try await store.pullEvents(tenant: fixture.alice, now: Date() + 1, visibility: .seconds(30), limit: 1)
        _ = try await store.confirmEvents(handles: events.map(\.handle), tenant: fixture.alice, now: Date() + 2)
        #expect(try await store.outboxStatistics()
                == OutboxStatistics(pendingDeliveries: 1, deadDeliveries: 1, pendingEvents: [fixture.alice: 1]))
    }

    @Test(arguments: StoreKind.available) func settingIfAbsentHasExactlyOneWinner(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        #expect(try await store.setting("admin_key_sha256") == nil)
        let winners = try await withThrowingTaskGroup(of: String?.self) { group in
            for index in 0..<16 {
                group.addTask { try await store.setSettingIfAbsent("admin_key_sha256", value: "hash-\(index)") ? "hash-\(index)" : nil }
            }
            return try await group.reduce(into: [String]()) { if let value = $1 { $0.append(value) } }
        }
        #expect(winners.count == 1)
        #expect(try await store.setting("admin_key_sha256") == winners.first)
        #expect(try await store.setSettingIfAbsent("admin_key_sha256", value: "late") == false)
        try await store.setSetting("admin_key_sha256", value: "rotated")
        #expect(try await store.setting("admin_key_sha256") == "rotated")
        try await store.setSetting("other", value: "1")
        #expect(try await store.setting("admin_key_sha256") == "rotated")
        #expect(try await store.setting("other") == "1")
    }
}
