import EaselCore
import EaselStore
import Foundation
import Logging
import Synchronization

/// Every node's view of the apps' settings: the store's records (written through the admin API) merged over the
/// configuration file's `apps` entries over the defaults. The store's records are read at most once per `maxAge`
/// (≤ 1 s), so a change made on any node takes effect everywhere within it; the node that wrote calls `invalidate()`
/// and sees its change at once.
public final class AppSettingsDirectory: Sendable {
    private struct State {
        var stored: [Tenant: AppRecord]?
        var loadedAt = ContinuousClock.now
        var generation = 0
        var loading = false
    }

    private let store: (any AppDirectory)?
    private let configured: [Tenant: AppRecord]
    private let defaults: AppSettingsSnapshot.Defaults
    private let maxAge: Duration
    private let logger: Logger?
    private let state = Mutex(State())

    /// Creates a directory. `configured` are the configuration file's entries; without a `store` they are all there is.
    public init(store: (any AppDirectory)? = nil, configured: [AppRecord] = [], defaultConcurrency: Int = 1,
                defaultCreateRate: Double = 20, maxAge: Duration = .seconds(1), logger: Logger? = nil) {
        self.store = store
        var entries: [Tenant: AppRecord] = [:]
        for record in configured { entries[record.tenant] = record }
        self.configured = entries
        self.defaults = .init(concurrency: defaultConcurrency, createRatePerSecond: defaultCreateRate)
        self.maxAge = maxAge
        self.logger = logger
    }

    /// The configuration file's entries, by tenant.
    public var configuredApps: [Tenant: AppRecord] { configured }

    /// The current settings of every app. Reads the store when the cached records are older than `maxAge`; while
    /// another caller is reading them, the previous records are used. When the store cannot be read, the last
    /// records (or the configuration alone) are used.
    public func snapshot() async -> AppSettingsSnapshot {
        guard let store else { return AppSettingsSnapshot(stored: [:], configured: configured, defaults: defaults) }
        let now = ContinuousClock.now
        let (cached, generation): ([Tenant: AppRecord]?, Int?) = state.withLock { state in
            if let stored = state.stored, now - state.loadedAt < maxAge || state.loading { return (stored, nil) }
            state.loading = true
            return (nil, state.generation)
        }
        if let cached { return AppSettingsSnapshot(stored: cached, configured: configured, defaults: defaults) }
        var loaded: [Tenant: AppRecord]?
        do {
            loaded = Dictionary(try await store.apps().map { ($0.tenant, $0) }, uniquingKeysWith: { $1 })
        } catch where Task.isCancelled {
            // Shutting down: the last records known are good enough.
        } catch {
            logger?.warning("cannot read the apps' settings from the store; using the last ones known",
                            metadata: ["error": "\(String(reflecting: error).prefix(300))"])
        }
        let records: [Tenant: AppRecord] = state.withLock { state in
            state.loading = false
            guard let loaded else { return state.stored ?? [:] }
            // A write on this node during the read invalidated it: the records may predate the write.
            if state.generation == generation {
                state.stored = loaded
                state.loadedAt = now
            }
            return loaded
        }
        return AppSettingsSnapshot(stored: records, configured: configured, defaults: defaults)
    }

    /// The settings read from the store now (the admin API shows what is stored, not what was cached); also
    /// refreshes the cache. Throws when the store cannot be read.
    public func refreshed() async throws -> AppSettingsSnapshot {
        guard let store else { return AppSettingsSnapshot(stored: [:], configured: configured, defaults: defaults) }
        let generation = state.withLock { $0.generation }
        let now = ContinuousClock.now
        let loaded = Dictionary(try await store.apps().map { ($0.tenant, $0) }, uniquingKeysWith: { $1 })
        state.withLock { state in
            if state.generation == generation {
                state.stored = loaded
                state.loadedAt = now
            }
        }
        return AppSettingsSnapshot(stored: loaded, configured: configured, defaults: defaults)
    }

    /// The effective settings of one app.
    public func settings(for tenant: Tenant) async -> EffectiveAppSettings {
        await snapshot().settings(for: tenant)
    }

    /// Forgets the cached records, so the next lookup reads the store (after this node changed an app).
    public func invalidate() {
        state.withLock { state in
            state.stored = nil
            state.generation += 1
        }
    }
}
