import EaselCore
import Foundation
import PostgresNIO

extension PostgresStore: NotificationOutbox {
    static let deliveryColumns = """
        id, task_id, app_id, sub_app_id, url, format, status, attempts, next_attempt_at, last_error, created_at, delivered_at
        """

    /// Writes `entries` for `task` inside the caller's transaction.
    static func record(_ entries: [OutboxEntry], for task: TaskRecord, in tx: PostgresTransaction) async throws {
        let now = (task.finishedAt ?? Date()).timeIntervalSince1970
        let tenant = task.tenant
        for entry in entries {
            switch entry {
            case .pullEvent:
                try await tx.run("""
                    INSERT INTO events (handle, app_id, sub_app_id, task_id, created_at, visible_at)
                    VALUES (\(EventHandle.make()), \(tenant.appId), \(tenant.subAppId), \(task.id), \(now), \(now))
                    """)
            case .delivery(let url, let format):
                try await tx.run("""
                    INSERT INTO deliveries (id, app_id, sub_app_id, task_id, url, format, status, next_attempt_at, created_at)
                    VALUES (\("evt_" + TaskID.randomHex(bytes: 12)), \(tenant.appId), \(tenant.subAppId), \(task.id),
                            \(url), \(format.rawValue), 'pending', \(now), \(now))
                    """)
            }
        }
    }

    public func pullEvents(tenant: Tenant, now: Date, visibility: Duration, limit: Int) async throws -> [PulledEvent] {
        let hiddenUntil = now.timeIntervalSince1970 + Double(visibility.components.seconds)
        // SKIP LOCKED: concurrent pulls (from any node) get disjoint events instead of waiting for each other.
        let rows = try await statement { tx in
            try await tx.rows("""
                WITH picked AS (
                    SELECT seq FROM events
                    WHERE app_id = \(tenant.appId) AND sub_app_id = \(tenant.subAppId) AND confirmed_at IS NULL
                      AND visible_at <= \(now.timeIntervalSince1970)
                    ORDER BY seq LIMIT \(limit) FOR UPDATE SKIP LOCKED
                )
                UPDATE events SET visible_at = \(hiddenUntil) FROM picked WHERE events.seq = picked.seq
                RETURNING events.seq, events.handle, events.task_id
                """).map { try $0.decode((Int64, String, TaskID).self) }
        }
        return rows.sorted { $0.0 < $1.0 }.map { PulledEvent(handle: $0.1, taskId: $0.2) }
    }

    public func confirmEvents(handles: [String], tenant: Tenant, now: Date) async throws -> [String] {
        guard !handles.isEmpty else { return [] }
        let accepted = try await transaction { tx in
            let confirmed = try await tx.rows("""
                UPDATE events SET confirmed_at = \(now.timeIntervalSince1970)
                WHERE handle = ANY(\(handles)) AND app_id = \(tenant.appId) AND sub_app_id = \(tenant.subAppId)
                  AND confirmed_at IS NULL AND visible_at > \(now.timeIntervalSince1970)
                RETURNING handle
                """).map { try $0.decode(String.self) }
            // Confirming an already confirmed event again is not an error.
            let earlier = try await tx.rows("""
                SELECT handle FROM events WHERE handle = ANY(\(handles)) AND app_id = \(tenant.appId)
                  AND sub_app_id = \(tenant.subAppId) AND confirmed_at IS NOT NULL
                """).map { try $0.decode(String.self) }
            return Set(confirmed).union(earlier)
        }
        return handles.filter { !accepted.contains($0) }
    }

    public func claimDueDeliveries(now: Date, leaseUntil: Date, limit: Int) async throws -> [Delivery] {
        let due = now.timeIntervalSince1970
        // Only `seq` is ambiguous between the table and `due`, so the plain column list can be returned.
        let claimed = try await statement { tx in
            try await tx.rows("""
                WITH due AS (
                    SELECT seq FROM deliveries
                    WHERE status = 'pending' AND next_attempt_at <= \(due) AND (lease_until IS NULL OR lease_until < \(due))
                    ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
                )
                UPDATE deliveries SET lease_until = \(leaseUntil.timeIntervalSince1970) FROM due WHERE deliveries.seq = due.seq
                RETURNING \(unescaped: Self.deliveryColumns)
                """).map(Self.delivery(from:))
        }
        return claimed.sorted { $0.nextAttemptAt < $1.nextAttemptAt }
    }

    /// Frees only leases that already ended: on a shared database the other leases belong to live nodes that are
    /// sending those deliveries right now. (An expired lease is claimable anyway; this keeps the rows tidy.)
    public func releaseDeliveryLeases() async throws {
        let now = Date().timeIntervalSince1970
        try await statement { tx in
            try await tx.run("""
                UPDATE deliveries SET lease_until = NULL
                WHERE status = 'pending' AND lease_until IS NOT NULL AND lease_until < \(now)
                """)
        }
    }

    public func recordAttempt(_ delivery: Delivery) async throws {
        try await statement { tx in
            try await tx.run("""
                UPDATE deliveries SET status = \(delivery.status.rawValue), attempts = \(delivery.attempts),
                                      next_attempt_at = \(delivery.nextAttemptAt.timeIntervalSince1970),
                                      last_error = \(delivery.lastError)::text,
                                      delivered_at = \(delivery.deliveredAt?.timeIntervalSince1970)::double precision,
                                      lease_until = NULL
                WHERE id = \(delivery.id)
                """)
        }
    }

    public func deliveries(tenant: Tenant?, status: Delivery.Status?, limit: Int) async throws -> [Delivery] {
        try await statement { tx in
            try await tx.rows("""
                SELECT \(unescaped: Self.deliveryColumns) FROM deliveries
                WHERE (\(tenant?.appId)::bigint IS NULL OR (app_id = \(tenant?.appId)::bigint AND sub_app_id = \(tenant?.subAppId)::bigint))
                  AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue)::text)
                ORDER BY seq DESC LIMIT \(limit)
                """).map(Self.delivery(from:))
        }
    }

    public func replayDelivery(id: String, tenant: Tenant?, now: Date) async throws -> Bool {
        try await statement { tx in
            try await tx.run("""
                UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = \(now.timeIntervalSince1970),
                                      lease_until = NULL
                WHERE id = \(id)
                  AND (\(tenant?.appId)::bigint IS NULL OR (app_id = \(tenant?.appId)::bigint AND sub_app_id = \(tenant?.subAppId)::bigint))
                RETURNING 1
                """) > 0
        }
    }

    public func purgeNotifications(before: Date) async throws {
        let cutoff = before.timeIntervalSince1970
        try await transaction { tx in
            try await tx.run("DELETE FROM events WHERE created_at < \(cutoff)")
            try await tx.run("DELETE FROM deliveries WHERE created_at < \(cutoff) AND status != 'pending'")
        }
    }

    /// A delivery from a row of `deliveryColumns`.
    static func delivery(from row: PostgresRow) throws -> Delivery {
        let (id, taskId, appId, subAppId, url, format, status, attempts, next, lastError, created, delivered) =
            try row.decode((String, TaskID, Int64, Int64, String, String, String, Int, Double, String?, Double, Double?).self)
        return Delivery(id: id, taskId: taskId, tenant: Tenant(appId: appId, subAppId: subAppId), url: url,
                        format: DeliveryFormat(rawValue: format) ?? .restWebhook,
                        status: Delivery.Status(rawValue: status) ?? .pending, attempts: attempts,
                        nextAttemptAt: Date(timeIntervalSince1970: next), lastError: lastError,
                        createdAt: Date(timeIntervalSince1970: created),
                        deliveredAt: delivered.map(Date.init(timeIntervalSince1970:)))
    }
}
