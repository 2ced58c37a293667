import EaselCore
import EaselMacros
import Foundation

/// An app's settings as kept in the store, set through the admin API. Every node reads them, so a change takes
/// effect cluster-wide; a field left nil falls back to the configuration file's `apps` entry, then to the defaults.
@MemberwiseInit
public struct AppRecord: Codable, Sendable, Equatable {
    /// The app and sub-app.
    public var tenant: Tenant
    /// A human-readable name.
    public var name: String?
    /// Concurrent tasks (nil: the configured or default concurrency).
    public var concurrency: Int?
    /// Task creations per second (nil: the configured `create_rate_limit`).
    public var createRatePerSecond: Double?
    /// VOD event callback URL.
    public var callbackURL: String?
    /// Default webhook URL for REST and OpenAI tasks that name none.
    public var webhookURL: String?
    /// Bucket that receives every output of the app.
    public var bucket: String?
    /// Region of `bucket`.
    public var bucketRegion: String?
    /// Key prefix inside `bucket`.
    public var bucketPrefix: String?
    /// When it was created.
    public var createdAt: Date
    /// When it was last changed.
    public var updatedAt: Date

    /// The `apps` table's columns in the order both stores read and write them.
    static let columns = """
        app_id, sub_app_id, name, concurrency, create_rate_per_second, callback_url, webhook_url, bucket, bucket_region,
        bucket_prefix, created_at, updated_at
        """
}
