import EaselCore
import EaselStore
import Foundation

/// The app fields of a POST or PATCH body, validated: each absent (keep), null (clear) or a new value.
struct AdminAppChanges: Sendable {
    /// The fields an app body may hold besides its ids.
    static let fields: Set<String> = [
        "name", "concurrency", "create_rate_per_second", "callback_url", "webhook_url", "bucket", "bucket_region", "bucket_prefix",
    ]

    var name: AdminPatch<String>
    var concurrency: AdminPatch<Int64>
    var createRate: AdminPatch<Double>
    var callbackURL: AdminPatch<String>
    var webhookURL: AdminPatch<String>
    var bucket: AdminPatch<String>
    var bucketRegion: AdminPatch<String>
    var bucketPrefix: AdminPatch<String>

    init(_ body: AdminBody, environment: AdminEnvironment) throws(AdminError) {
        name = try body.patch("name", AdminField.text("name", maxLength: 200))
        concurrency = try body.patch("concurrency", AdminField.integer("concurrency", in: 0...10_000))
        createRate = try body.patch("create_rate_per_second", AdminField.number("create_rate_per_second", in: 0...1_000_000))
        callbackURL = try body.patch("callback_url", AdminField.url("callback_url", policy: environment.callbackPolicy))
        webhookURL = try body.patch("webhook_url", AdminField.url("webhook_url", policy: environment.callbackPolicy))
        bucket = try body.patch("bucket", AdminField.bucket)
        bucketRegion = try body.patch("bucket_region", AdminField.region)
        bucketPrefix = try body.patch("bucket_prefix", AdminField.text("bucket_prefix", maxLength: 512))
        if case .set = bucket, !environment.hasBucketStorage {
            throw .invalid("bucket needs bucket storage, which is not configured on this server (see `bucket_storage`).")
        }
    }

    /// `record` with the changes made.
    func applied(to record: AppRecord, at now: Date) -> AppRecord {
        var record = record
        record.name = name.applied(to: record.name)
        record.concurrency = concurrency.applied(to: record.concurrency.map(Int64.init)).map { Int($0) }
        record.createRatePerSecond = createRate.applied(to: record.createRatePerSecond)
        record.callbackURL = callbackURL.applied(to: record.callbackURL)
        record.webhookURL = webhookURL.applied(to: record.webhookURL)
        record.bucket = bucket.applied(to: record.bucket)
        record.bucketRegion = bucketRegion.applied(to: record.bucketRegion)
        record.bucketPrefix = bucketPrefix.applied(to: record.bucketPrefix)
        record.updatedAt = now
        return record
    }
}
