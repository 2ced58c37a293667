import EaselCore
import EaselStore
import Foundation
import Synchronization
import Testing
@testable import EaselServices
@testable import EaselWorker

/// The apps' settings: the store's record over the configuration over the defaults, cached at most `maxAge`,
/// invalidated by the node that wrote, and kept when the store cannot be read.
@Suite struct AppSettingsDirectoryTests {
    final class FakeDirectory: AppDirectory {
        let records = Mutex<[AppRecord]>([])
        let reads = Mutex(0)
        let failing = Mutex(false)

        func apps() async throws -> [AppRecord] {
            reads.withLock { $0 += 1 }
            if failing.withLock({ $0 }) { throw StoreError.unavailable("down") }
            return records.withLock { $0 }
        }
        func app(_ tenant: Tenant) async throws -> AppRecord? { records.withLock { $0.first { $0.tenant == tenant } } }
        func saveApp(_ app: AppRecord) async throws {
            records.withLock { records in
                records.removeAll { $0.tenant == app.tenant }
                records.append(app)
            }
        }
    }

    let tenant = Tenant(appId: 1, subAppId: 1)

    @Test func theStoreOverridesTheConfigurationWhichOverridesTheDefaults() async throws {
        let store = FakeDirectory()
        let configured = AppRecord(tenant: tenant, concurrency: 4, callbackURL: "https://config/vod", webhookURL: "https://config/hook",
                                   createdAt: .distantPast, updatedAt: .distantPast)
        let directory = AppSettingsDirectory(store: store, configured: [configured], defaultConcurrency: 1, defaultCreateRate: 20)
        var settings = await directory.settings(for: tenant)
        #expect(settings.concurrency == 4 && settings.createRatePerSecond == 20 && settings.webhookURL == "https://config/hook")
        #expect(settings.record == nil && settings.isConfigured)
        try await store.saveApp(AppRecord(tenant: tenant, createRatePerSecond: 2, webhookURL: "https://store/hook",
                                          createdAt: Date(), updatedAt: Date()))
        directory.invalidate()
        settings = await directory.settings(for: tenant)
        #expect(settings.concurrency == 4, "not set in the store: the configuration's")
        #expect(settings.createRatePerSecond == 2 && settings.webhookURL == "https://store/hook")
        #expect(settings.callbackURL == "https://config/vod")
        #expect(settings.notifications == AppNotificationSettings(vodCallbackURL: "https://config/vod", webhookURL: "https://store/hook"))
        let other = await directory.settings(for: Tenant(appId: 2, subAppId: 2))
        #expect(other.concurrency == 1 && other.createRatePerSecond == 20 && other.webhookURL == nil && !other.isConfigured)
    }

    @Test func recordsAreCachedUntilTheyAgeOrAreInvalidated() async throws {
        let store = FakeDirectory()
        let directory = AppSettingsDirectory(store: store, maxAge: .seconds(3600))
        for _ in 0..<5 { _ = await directory.snapshot() }
        #expect(store.reads.withLock { $0 } == 1)
        directory.invalidate()
        _ = await directory.snapshot()
        #expect(store.reads.withLock { $0 } == 2)

        let aging = AppSettingsDirectory(store: store, maxAge: .milliseconds(1))
        _ = await aging.snapshot()
        try await Task.sleep(for: .milliseconds(5))
        _ = await aging.snapshot()
        #expect(store.reads.withLock { $0 } == 4)
    }

    @Test func aStoreThatCannotBeReadLeavesTheLastRecordsInForce() async throws {
        let store = FakeDirectory()
        try await store.saveApp(AppRecord(tenant: tenant, concurrency: 7, createdAt: Date(), updatedAt: Date()))
        let directory = AppSettingsDirectory(store: store, maxAge: .milliseconds(1))
        #expect(await directory.settings(for: tenant).concurrency == 7)
        store.failing.withLock { $0 = true }
        try await Task.sleep(for: .milliseconds(5))
        #expect(await directory.settings(for: tenant).concurrency == 7)
        await #expect(throws: StoreError.self) { try await directory.refreshed() }
    }
}
