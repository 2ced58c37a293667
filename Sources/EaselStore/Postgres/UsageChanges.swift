import EaselCore
import PostgresNIO

/// Usage counts gathered during a transaction and written at its end, after the queue counters, one upsert per row
/// in key order: every transaction locks usage rows last and in the same order, which keeps them deadlock-free.
struct UsageChanges {
    private var rows: [UsageRow] = []

    /// Adds `change` to the row of its key.
    mutating func add(_ change: UsageRow) {
        if let index = rows.firstIndex(where: { $0.sameKey(as: change) }) {
            rows[index].add(change)
        } else {
            rows.append(change)
        }
    }

    /// Adds `other`'s counts to these.
    mutating func merge(_ other: UsageChanges) {
        for row in other.rows { add(row) }
    }

    /// Writes the gathered counts.
    func apply(in tx: PostgresTransaction) async throws {
        for row in rows.sorted(by: UsageRow.keyOrder) {
            try await tx.run("""
                INSERT INTO usage (day, app_id, sub_app_id, key_id, model, created, succeeded, failed, aborted, images,
                                   upstream_seconds)
                VALUES (\(row.day), \(row.tenant.appId), \(row.tenant.subAppId), \(row.keyId), \(row.model), \(row.created),
                        \(row.succeeded), \(row.failed), \(row.aborted), \(row.images), \(row.upstreamSeconds))
                ON CONFLICT (day, app_id, sub_app_id, key_id, model) DO UPDATE SET
                    created = usage.created + EXCLUDED.created, succeeded = usage.succeeded + EXCLUDED.succeeded,
                    failed = usage.failed + EXCLUDED.failed, aborted = usage.aborted + EXCLUDED.aborted,
                    images = usage.images + EXCLUDED.images,
                    upstream_seconds = usage.upstream_seconds + EXCLUDED.upstream_seconds
                """)
        }
    }

    /// Writes one change.
    static func apply(_ change: UsageRow, in tx: PostgresTransaction) async throws {
        var changes = UsageChanges()
        changes.add(change)
        try await changes.apply(in: tx)
    }
}
