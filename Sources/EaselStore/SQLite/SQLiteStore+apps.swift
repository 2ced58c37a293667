import EaselCore
import Foundation
import GRDB

extension SQLiteStore: AppDirectory {
    public func apps() async throws -> [AppRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT \(AppRecord.columns) FROM apps ORDER BY app_id, sub_app_id").map(Self.app(from:))
        }
    }

    public func app(_ tenant: Tenant) async throws -> AppRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(AppRecord.columns) FROM apps WHERE app_id = ? AND sub_app_id = ?",
                             arguments: [tenant.appId, tenant.subAppId]).map(Self.app(from:))
        }
    }

    public func saveApp(_ app: AppRecord) async throws {
        try await write { [defaultConcurrency] db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO apps (\(AppRecord.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [app.tenant.appId, app.tenant.subAppId, app.name, app.concurrency, app.createRatePerSecond,
                                 app.callbackURL, app.webhookURL, app.bucket, app.bucketRegion, app.bucketPrefix,
                                 app.createdAt.timeIntervalSince1970, app.updatedAt.timeIntervalSince1970])
            try QueueState(db: db, defaultConcurrency: defaultConcurrency)
                .setLimit(app.concurrency.map { max($0, 0) }, for: app.tenant)
        }
    }

    static func app(from row: Row) -> AppRecord {
        AppRecord(tenant: Tenant(appId: row["app_id"], subAppId: row["sub_app_id"]), name: row["name"],
                  concurrency: row["concurrency"], createRatePerSecond: row["create_rate_per_second"],
                  callbackURL: row["callback_url"], webhookURL: row["webhook_url"], bucket: row["bucket"],
                  bucketRegion: row["bucket_region"], bucketPrefix: row["bucket_prefix"],
                  createdAt: Date(timeIntervalSince1970: row["created_at"]),
                  updatedAt: Date(timeIntervalSince1970: row["updated_at"]))
    }
}
