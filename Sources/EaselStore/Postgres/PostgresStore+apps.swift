import EaselCore
import Foundation
import PostgresNIO

extension PostgresStore: AppDirectory {
    public func apps() async throws -> [AppRecord] {
        try await statement { tx in
            try await tx.rows("SELECT \(unescaped: AppRecord.columns) FROM apps ORDER BY app_id, sub_app_id").map(Self.app(from:))
        }
    }

    public func app(_ tenant: Tenant) async throws -> AppRecord? {
        try await statement { tx in
            try await tx.row("""
                SELECT \(unescaped: AppRecord.columns) FROM apps WHERE app_id = \(tenant.appId) AND sub_app_id = \(tenant.subAppId)
                """).map(Self.app(from:))
        }
    }

    public func saveApp(_ app: AppRecord) async throws {
        try await transaction { [defaultConcurrency] tx in
            // The tenant's queue row is locked first, as every writer of a tenant does.
            try await PostgresQueueState(tx: tx, defaultConcurrency: defaultConcurrency)
                .setLimit(app.concurrency.map { max($0, 0) }, for: app.tenant)
            try await tx.run("""
                INSERT INTO apps (\(unescaped: AppRecord.columns))
                VALUES (\(app.tenant.appId), \(app.tenant.subAppId), \(app.name)::text, \(app.concurrency)::bigint,
                        \(app.createRatePerSecond)::double precision, \(app.callbackURL)::text, \(app.webhookURL)::text,
                        \(app.bucket)::text, \(app.bucketRegion)::text, \(app.bucketPrefix)::text,
                        \(app.createdAt.timeIntervalSince1970), \(app.updatedAt.timeIntervalSince1970))
                ON CONFLICT (app_id, sub_app_id) DO UPDATE SET
                    name = EXCLUDED.name, concurrency = EXCLUDED.concurrency,
                    create_rate_per_second = EXCLUDED.create_rate_per_second, callback_url = EXCLUDED.callback_url,
                    webhook_url = EXCLUDED.webhook_url, bucket = EXCLUDED.bucket, bucket_region = EXCLUDED.bucket_region,
                    bucket_prefix = EXCLUDED.bucket_prefix, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
                """)
        }
    }

    static func app(from row: PostgresRow) throws -> AppRecord {
        let (appId, subAppId, name, concurrency, rate, callbackURL, webhookURL, bucket, region, prefix, created, updated) =
            try row.decode((Int64, Int64, String?, Int?, Double?, String?, String?, String?, String?, String?, Double, Double).self)
        return AppRecord(tenant: Tenant(appId: appId, subAppId: subAppId), name: name, concurrency: concurrency,
                         createRatePerSecond: rate, callbackURL: callbackURL, webhookURL: webhookURL, bucket: bucket,
                         bucketRegion: region, bucketPrefix: prefix, createdAt: Date(timeIntervalSince1970: created),
                         updatedAt: Date(timeIntervalSince1970: updated))
    }
}
