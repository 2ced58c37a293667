import EaselBlobs
import EaselCore
import EaselStore

/// One app's settings after merging the store's record over the configuration over the defaults.
public struct EffectiveAppSettings: Sendable, Equatable {
    /// The app.
    public var tenant: Tenant
    /// Display name.
    public var name: String?
    /// Concurrent tasks.
    public var concurrency: Int
    /// Creates per second (0: unlimited).
    public var createRatePerSecond: Double
    /// VOD event callback URL.
    public var callbackURL: String?
    /// Default webhook URL of REST and OpenAI tasks.
    public var webhookURL: String?
    /// Bucket that receives every output.
    public var bucket: String?
    /// Region of `bucket`.
    public var bucketRegion: String?
    /// Key prefix inside `bucket`.
    public var bucketPrefix: String?
    /// The store's record, if the app has one.
    public var record: AppRecord?
    /// Whether the configuration file has an entry for the app.
    public var isConfigured: Bool

    /// Where finished tasks of the app are pushed.
    public var notifications: AppNotificationSettings {
        AppNotificationSettings(vodCallbackURL: callbackURL, webhookURL: webhookURL)
    }

    /// The app's bucket, if it has one.
    public var bucketTarget: BucketTarget? {
        bucket.map { BucketTarget(bucket: $0, region: bucketRegion, prefix: bucketPrefix) }
    }
}
