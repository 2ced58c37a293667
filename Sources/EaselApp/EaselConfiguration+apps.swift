import EaselCore
import EaselStore
import Foundation

extension EaselConfiguration.AppSettings {
    /// The entry as the overrides it sets, for merging under the store's records.
    public var record: AppRecord {
        AppRecord(tenant: tenant, concurrency: concurrency, callbackURL: callbackUrl, webhookURL: webhookUrl, bucket: bucket,
                  bucketRegion: bucketRegion, bucketPrefix: bucketPrefix, createdAt: .distantPast, updatedAt: .distantPast)
    }
}
