import EaselCore
import Foundation
import GRDB

extension SQLiteStore: UsageLedger {
    /// Adds `change`'s counts to its usage row inside the caller's write transaction.
    static func count(_ change: UsageRow, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO usage (day, app_id, sub_app_id, key_id, model, created, succeeded, failed, aborted, images,
                               upstream_seconds)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (day, app_id, sub_app_id, key_id, model) DO UPDATE SET
                created = created + excluded.created, succeeded = succeeded + excluded.succeeded,
                failed = failed + excluded.failed, aborted = aborted + excluded.aborted, images = images + excluded.images,
                upstream_seconds = upstream_seconds + excluded.upstream_seconds
            """).execute(arguments: [change.day, change.tenant.appId, change.tenant.subAppId, change.keyId, change.model,
                                     change.created, change.succeeded, change.failed, change.aborted, change.images,
                                     change.upstreamSeconds])
    }

    public func usage(_ query: UsageQuery) async throws -> [UsageRow] {
        try await read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            func filter(_ condition: String, _ value: (any DatabaseValueConvertible)?) {
                guard let value else { return }
                conditions.append(condition)
                arguments += [value]
            }
            filter("app_id = ?", query.appId)
            filter("sub_app_id = ?", query.subAppId)
            filter("key_id = ?", query.keyId)
            filter("model = ?", query.model)
            filter("day >= ?", query.since)
            filter("day <= ?", query.until)
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: """
                SELECT day, app_id, sub_app_id, key_id, model, created, succeeded, failed, aborted, images, upstream_seconds
                FROM usage \(whereClause) ORDER BY day, app_id, sub_app_id, key_id, model
                """, arguments: arguments).map { row in
                UsageRow(day: row["day"], tenant: Tenant(appId: row["app_id"], subAppId: row["sub_app_id"]),
                         keyId: row["key_id"], model: row["model"], created: row["created"], succeeded: row["succeeded"],
                         failed: row["failed"], aborted: row["aborted"], images: row["images"],
                         upstreamSeconds: row["upstream_seconds"])
            }
        }
    }
}
