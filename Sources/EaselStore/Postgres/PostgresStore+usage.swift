import EaselCore
import Foundation
import PostgresNIO

extension PostgresStore: UsageLedger {
    public func usage(_ query: UsageQuery) async throws -> [UsageRow] {
        try await statement { tx in
            try await tx.rows("""
                SELECT day, app_id, sub_app_id, key_id, model, created, succeeded, failed, aborted, images, upstream_seconds
                FROM usage
                WHERE (\(query.appId)::bigint IS NULL OR app_id = \(query.appId)::bigint)
                  AND (\(query.subAppId)::bigint IS NULL OR sub_app_id = \(query.subAppId)::bigint)
                  AND (\(query.keyId)::text IS NULL OR key_id = \(query.keyId)::text)
                  AND (\(query.model)::text IS NULL OR model = \(query.model)::text)
                  AND (\(query.since)::text IS NULL OR day >= \(query.since)::text)
                  AND (\(query.until)::text IS NULL OR day <= \(query.until)::text)
                ORDER BY day, app_id, sub_app_id, key_id COLLATE "C", model COLLATE "C"
                """).map { row in
                let (day, appId, subAppId, keyId, model, created, succeeded, failed, aborted, images, seconds) =
                    try row.decode((String, Int64, Int64, String, String, Int, Int, Int, Int, Int, Double).self)
                return UsageRow(day: day, tenant: Tenant(appId: appId, subAppId: subAppId), keyId: keyId, model: model,
                                created: created, succeeded: succeeded, failed: failed, aborted: aborted, images: images,
                                upstreamSeconds: seconds)
            }
        }
    }
}
