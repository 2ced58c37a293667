import EaselCore
import Foundation
import GRDB

extension SQLiteStore: NotificationOutbox {
    /// Writes `entries` for `task` inside the caller's transaction.
    static func record(_ entries: [OutboxEntry], for task: TaskRecord, in db: Database) throws {
        let now = (task.finishedAt ?? Date()).timeIntervalSince1970
        for entry in entries {
            switch entry {
            case .pullEvent:
                try db.execute(sql: """
                    INSERT INTO events (handle, app_id, sub_app_id, task_id, created_at, visible_at) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [EventHandle.make(), task.tenant.appId, task.tenant.subAppId, task.id, now, now])
            case .delivery(let url, let format):
                try db.execute(sql: """
                    INSERT INTO deliveries (id, app_id, sub_app_id, task_id, url, format, status, next_attempt_at, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)
                    """, arguments: ["evt_" + TaskID.randomHex(bytes: 12), task.tenant.appId, task.tenant.subAppId, task.id,
                                     url, format.rawValue, now, now])
            }
        }
    }

    public func pullEvents(tenant: Tenant, now: Date, visibility: Duration, limit: Int) async throws -> [PulledEvent] {
        try await write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT handle, task_id FROM events
                WHERE app_id = ? AND sub_app_id = ? AND confirmed_at IS NULL AND visible_at <= ?
                ORDER BY seq LIMIT ?
                """, arguments: [tenant.appId, tenant.subAppId, now.timeIntervalSince1970, limit])
            let events = rows.map { PulledEvent(handle: $0["handle"], taskId: $0["task_id"]) }
            let hiddenUntil = now.timeIntervalSince1970 + Double(visibility.components.seconds)
            for event in events {
                try db.execute(sql: "UPDATE events SET visible_at = ? WHERE handle = ?", arguments: [hiddenUntil, event.handle])
            }
            return events
        }
    }

    public func confirmEvents(handles: [String], tenant: Tenant, now: Date) async throws -> [String] {
        try await write { db in
            var rejected: [String] = []
            for handle in handles {
                try db.execute(sql: """
                    UPDATE events SET confirmed_at = ?
                    WHERE handle = ? AND app_id = ? AND sub_app_id = ? AND confirmed_at IS NULL AND visible_at > ?
                    """, arguments: [now.timeIntervalSince1970, handle, tenant.appId, tenant.subAppId, now.timeIntervalSince1970])
                if db.changesCount == 0 {
                    let alreadyConfirmed = try Bool.fetchOne(db, sql: """
                        SELECT 1 FROM events WHERE handle = ? AND app_id = ? AND sub_app_id = ? AND confirmed_at IS NOT NULL
                        """, arguments: [handle, tenant.appId, tenant.subAppId]) ?? false
                    if !alreadyConfirmed { rejected.append(handle) }
                }
            }
            return rejected
        }
    }

    public func claimDueDeliveries(now: Date, leaseUntil: Date, limit: Int) async throws -> [Delivery] {
        try await write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM deliveries
                WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
                ORDER BY next_attempt_at LIMIT ?
                """, arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, limit])
            let deliveries = rows.map(Self.delivery(from:))
            for delivery in deliveries {
                try db.execute(sql: "UPDATE deliveries SET lease_until = ? WHERE id = ?",
                               arguments: [leaseUntil.timeIntervalSince1970, delivery.id])
            }
            return deliveries
        }
    }

    public func releaseDeliveryLeases() async throws {
        try await write { db in
            try db.execute(sql: "UPDATE deliveries SET lease_until = NULL WHERE status = 'pending' AND lease_until IS NOT NULL")
        }
    }

    public func recordAttempt(_ delivery: Delivery) async throws {
        try await write { db in
            try db.execute(sql: """
                UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, delivered_at = ?,
                                      lease_until = NULL
                WHERE id = ?
                """, arguments: [delivery.status.rawValue, delivery.attempts, delivery.nextAttemptAt.timeIntervalSince1970,
                                 delivery.lastError, delivery.deliveredAt?.timeIntervalSince1970, delivery.id])
        }
    }

    public func deliveries(tenant: Tenant?, status: Delivery.Status?, limit: Int) async throws -> [Delivery] {
        try await read { db in
            var sql = "SELECT * FROM deliveries WHERE 1 = 1"
            var arguments: StatementArguments = []
            if let tenant {
                sql += " AND app_id = ? AND sub_app_id = ?"
                arguments += [tenant.appId, tenant.subAppId]
            }
            if let status {
                sql += " AND status = ?"
                arguments += [status.rawValue]
            }
            sql += " ORDER BY seq DESC LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.delivery(from:))
        }
    }

    public func replayDelivery(id: String, tenant: Tenant?, now: Date) async throws -> Bool {
        try await write { db in
            var sql = "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL WHERE id = ?"
            var arguments: StatementArguments = [now.timeIntervalSince1970, id]
            if let tenant {
                sql += " AND app_id = ? AND sub_app_id = ?"
                arguments += [tenant.appId, tenant.subAppId]
            }
            try db.execute(sql: sql, arguments: arguments)
            return db.changesCount > 0
        }
    }

    public func purgeNotifications(before: Date) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM events WHERE created_at < ?", arguments: [before.timeIntervalSince1970])
            try db.execute(sql: "DELETE FROM deliveries WHERE created_at < ? AND status != 'pending'",
                           arguments: [before.timeIntervalSince1970])
        }
    }

    static func delivery(from row: Row) -> Delivery {
        let delivered: Double? = row["delivered_at"]
        return Delivery(id: row["id"], taskId: row["task_id"], tenant: Tenant(appId: row["app_id"], subAppId: row["sub_app_id"]),
                        url: row["url"], format: DeliveryFormat(rawValue: row["format"]) ?? .restWebhook,
                        status: Delivery.Status(rawValue: row["status"]) ?? .pending, attempts: row["attempts"],
                        nextAttemptAt: Date(timeIntervalSince1970: row["next_attempt_at"]), lastError: row["last_error"],
                        createdAt: Date(timeIntervalSince1970: row["created_at"]),
                        deliveredAt: delivered.map(Date.init(timeIntervalSince1970:)))
    }
}

/// VOD-style event handles: opaque decimal strings.
enum EventHandle {
    static func make() -> String {
        (0..<20).map { _ in String(Int.random(in: 0...9)) }.joined()
    }
}
