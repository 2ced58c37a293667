import EaselCore
import Foundation
import GRDB

extension SQLiteStore: StoreStatistics {
    public func ping() async throws {
        _ = try await read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func queueStatistics() async throws -> QueueStatistics {
        try await read { db in
            // Waiting tasks come from the queue's per-priority counters, never from the waiting tasks themselves;
            // the running ones are few (bounded by the apps' concurrency) and read through the leases index.
            let waiting = try Row.fetchAll(db, sql: "SELECT priority, waiting FROM queue_totals WHERE waiting > 0")
            let running = try Row.fetchAll(db, sql: """
                SELECT priority, COUNT(*) FROM tasks WHERE status = 'processing' GROUP BY priority
                """)
            return QueueStatistics(waiting: Self.countsByPriority(waiting), running: Self.countsByPriority(running))
        }
    }

    public func outboxStatistics() async throws -> OutboxStatistics {
        try await read { db in
            let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deliveries WHERE status = 'pending'") ?? 0
            let dead = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deliveries WHERE status = 'dead'") ?? 0
            // Without statistics SQLite would scan every event kept for the retention window through events_pull.
            let events = try Row.fetchAll(db, sql: """
                SELECT app_id, sub_app_id, COUNT(*) FROM events INDEXED BY events_unconfirmed
                WHERE confirmed_at IS NULL GROUP BY app_id, sub_app_id
                """)
            var pendingEvents: [Tenant: Int] = [:]
            for row in events { pendingEvents[Tenant(appId: row[0], subAppId: row[1])] = row[2] }
            return OutboxStatistics(pendingDeliveries: pending, deadDeliveries: dead, pendingEvents: pendingEvents)
        }
    }

    private static func countsByPriority(_ rows: [Row]) -> [Int: Int] {
        Dictionary(rows.map { (row: Row) -> (Int, Int) in (row[0], row[1]) }, uniquingKeysWith: +)
    }
}
