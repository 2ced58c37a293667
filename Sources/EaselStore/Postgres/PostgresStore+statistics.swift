import EaselCore
import Foundation
import PostgresNIO

extension PostgresStore: StoreStatistics {
    public func ping() async throws {
        try await statement { tx in try await tx.run("SELECT 1") }
    }

    public func queueStatistics() async throws -> QueueStatistics {
        try await statement { tx in
            // Waiting tasks come from the queue's per-priority counters, never from the waiting tasks themselves;
            // the running ones are few (bounded by the apps' concurrency) and read through the leases index.
            let rows = try await tx.rows("""
                SELECT 'waiting', priority, waiting FROM queue_totals WHERE waiting > 0
                UNION ALL
                SELECT 'running', priority, COUNT(*) FROM tasks WHERE status = 'processing' GROUP BY priority
                """)
            var statistics = QueueStatistics(waiting: [:], running: [:])
            for row in rows {
                let (kind, priority, count) = try row.decode((String, Int, Int).self)
                if kind == "waiting" { statistics.waiting[priority, default: 0] += count } else { statistics.running[priority, default: 0] += count }
            }
            return statistics
        }
    }

    public func outboxStatistics() async throws -> OutboxStatistics {
        try await statement { tx in
            let totals = try await tx.row("""
                SELECT (SELECT COUNT(*) FROM deliveries WHERE status = 'pending'),
                       (SELECT COUNT(*) FROM deliveries WHERE status = 'dead')
                """)
            let (pending, dead) = try totals?.decode((Int, Int).self) ?? (0, 0)
            var pendingEvents: [Tenant: Int] = [:]
            for row in try await tx.rows("""
                SELECT app_id, sub_app_id, COUNT(*) FROM events WHERE confirmed_at IS NULL GROUP BY app_id, sub_app_id
                """) {
                let (appId, subAppId, count) = try row.decode((Int64, Int64, Int).self)
                pendingEvents[Tenant(appId: appId, subAppId: subAppId)] = count
            }
            return OutboxStatistics(pendingDeliveries: pending, deadDeliveries: dead, pendingEvents: pendingEvents)
        }
    }
}
