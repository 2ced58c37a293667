import EaselBlobs
import EaselCore
import EaselStore
import Foundation

/// The apps' settings at one moment: answers synchronously, so it can be used inside store transactions.
public struct AppSettingsSnapshot: Sendable {
    /// What applies to apps that set nothing.
    public struct Defaults: Sendable, Equatable {
        /// `scheduling.default_concurrency`.
        public var concurrency: Int
        /// `scheduling.create_rate_limit` (0: unlimited).
        public var createRatePerSecond: Double
    }

    /// The store's records (admin API).
    public let stored: [Tenant: AppRecord]
    /// The configuration file's entries.
    public let configured: [Tenant: AppRecord]
    /// The defaults.
    public let defaults: Defaults

    /// The effective settings of `tenant`: each field from the store's record, else the configuration, else the default.
    public func settings(for tenant: Tenant) -> EffectiveAppSettings {
        let record = stored[tenant]
        let file = configured[tenant]
        return EffectiveAppSettings(
            tenant: tenant, name: record?.name ?? file?.name,
            concurrency: record?.concurrency ?? file?.concurrency ?? defaults.concurrency,
            createRatePerSecond: record?.createRatePerSecond ?? file?.createRatePerSecond ?? defaults.createRatePerSecond,
            callbackURL: record?.callbackURL ?? file?.callbackURL, webhookURL: record?.webhookURL ?? file?.webhookURL,
            bucket: record?.bucket ?? file?.bucket, bucketRegion: record?.bucketRegion ?? file?.bucketRegion,
            bucketPrefix: record?.bucketPrefix ?? file?.bucketPrefix, record: record, isConfigured: file != nil)
    }
}
