import EaselCore
import Foundation
import GRDB

extension SQLiteStore: TaskStore {
    public func insert(_ task: TaskRecord, dedupKey: String?, dedupSince: Date) async throws {
        let record = try RecordCoding.encode(task)
        try await write { db in
            if let sessionId = dedupKey, !sessionId.isEmpty {
                let previous = try Double.fetchOne(db, sql: """
                    SELECT created_at FROM sessions WHERE app_id = ? AND sub_app_id = ? AND session_id = ?
                    """, arguments: [task.tenant.appId, task.tenant.subAppId, sessionId])
                if let previous, previous >= dedupSince.timeIntervalSince1970 { throw StoreError.duplicateSession }
                try db.execute(sql: """
                    INSERT OR REPLACE INTO sessions (app_id, sub_app_id, session_id, task_id, created_at) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [task.tenant.appId, task.tenant.subAppId, sessionId, task.id,
                                     task.createdAt.timeIntervalSince1970])
            }
            try db.execute(sql: """
                INSERT INTO tasks (id, app_id, sub_app_id, status, priority, created_at, record, dialect)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [task.id, task.tenant.appId, task.tenant.subAppId, task.status.rawValue, task.priority,
                                 task.createdAt.timeIntervalSince1970, record, task.dialect.rawValue])
        }
    }

    public func taskId(sessionId: String, tenant: Tenant) async throws -> String? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT task_id FROM sessions WHERE app_id = ? AND sub_app_id = ? AND session_id = ?",
                                arguments: [tenant.appId, tenant.subAppId, sessionId])
        }
    }

    public func task(id: String, tenant: Tenant?) async throws -> TaskRecord? {
        let data = try await read { db in
            try Data.fetchOne(db, sql: "SELECT record FROM tasks WHERE id = ?", arguments: [id])
        }
        guard let data else { return nil }
        let task = try RecordCoding.decode(TaskRecord.self, from: data)
        if let tenant, task.tenant != tenant { return nil }
        return task
    }

    public func tasks(tenant: Tenant, statuses: [TaskStatus]?, since: Date, limit: Int, offset: Int) async throws -> [TaskRecord] {
        let rows = try await read { db in
            var sql = "SELECT record FROM tasks WHERE app_id = ? AND sub_app_id = ? AND created_at >= ?"
            var arguments: StatementArguments = [tenant.appId, tenant.subAppId, since.timeIntervalSince1970]
            if let statuses, !statuses.isEmpty {
                sql += " AND status IN (\(statuses.map { _ in "?" }.joined(separator: ",")))"
                arguments += StatementArguments(statuses.map(\.rawValue))
            }
            sql += " ORDER BY seq DESC LIMIT ? OFFSET ?"
            arguments += [limit, offset]
            return try Data.fetchAll(db, sql: sql, arguments: arguments)
        }
        return try rows.map { try RecordCoding.decode(TaskRecord.self, from: $0) }
    }

    public func claimNext(now: Date, leaseUntil: Date, defaultConcurrency: Int) async throws -> TaskRecord? {
        try await write { db in
            guard let data = try Data.fetchOne(db, sql: """
                SELECT t.record FROM tasks t
                WHERE t.status = 'waiting'
                  AND (SELECT COUNT(*) FROM tasks p
                       WHERE p.app_id = t.app_id AND p.sub_app_id = t.sub_app_id AND p.status = 'processing')
                      < COALESCE((SELECT max_concurrency FROM app_limits a
                                  WHERE a.app_id = t.app_id AND a.sub_app_id = t.sub_app_id), ?)
                ORDER BY t.priority DESC, t.seq ASC
                LIMIT 1
                """, arguments: [defaultConcurrency])
            else { return nil }
            var task = try RecordCoding.decode(TaskRecord.self, from: data)
            task.status = .processing
            task.startedAt = now
            task.attempts += 1
            try Self.save(task, leaseUntil: leaseUntil, in: db)
            return task
        }
    }

    public func checkpoint(id: String, token: String) async throws {
        try await write { db in
            guard let data = try Data.fetchOne(db, sql: "SELECT record FROM tasks WHERE id = ?", arguments: [id]) else { return }
            var task = try RecordCoding.decode(TaskRecord.self, from: data)
            task.metadata[TaskRecord.resumeTokenKey] = token
            try db.execute(sql: "UPDATE tasks SET record = ? WHERE id = ?", arguments: [try RecordCoding.encode(task), id])
        }
    }

    public func heartbeat(id: String, progress: Int, leaseUntil: Date) async throws {
        try await write { db in
            guard let data = try Data.fetchOne(db, sql: "SELECT record FROM tasks WHERE id = ? AND status = 'processing'",
                                               arguments: [id])
            else { return }
            var task = try RecordCoding.decode(TaskRecord.self, from: data)
            task.progress = max(task.progress, progress)
            try Self.save(task, leaseUntil: leaseUntil, in: db)
        }
    }

    public func finish(_ task: TaskRecord, outbox: [OutboxEntry]) async throws {
        try await write { db in
            try Self.save(task, leaseUntil: nil, in: db)
            try Self.record(outbox, for: task, in: db)
            for output in task.outputs where output.storageMode == .temporary {
                guard let expiresAt = output.expiresAt else { continue }
                try db.execute(sql: "INSERT OR REPLACE INTO blob_expiry (blob_key, expires_at) VALUES (?, ?)",
                               arguments: [output.blobKey, expiresAt.timeIntervalSince1970])
            }
        }
    }

    public func abort(id: String, tenant: Tenant, at: Date,
                      outbox: @escaping @Sendable (TaskRecord) -> [OutboxEntry]) async throws -> TaskRecord {
        try await write { db in
            guard let data = try Data.fetchOne(db, sql: "SELECT record FROM tasks WHERE id = ? AND app_id = ? AND sub_app_id = ?",
                                               arguments: [id, tenant.appId, tenant.subAppId])
            else { throw StoreError.notFound }
            var task = try RecordCoding.decode(TaskRecord.self, from: data)
            // Aborting twice (a client's retry) is answered like the first abort.
            if task.status == .aborted { return task }
            guard task.status == .waiting else { throw StoreError.conflict }
            task.status = .aborted
            task.finishedAt = at
            task.errorCode = "OperationCanceled"
            task.errorMessage = "The task was aborted before it started."
            try Self.save(task, leaseUntil: nil, in: db)
            try Self.record(outbox(task), for: task, in: db)
            return task
        }
    }

    public func recoverExpiredLeases(expiredBefore: Date, now: Date, maxAttempts: Int,
                                     outbox: @escaping @Sendable (TaskRecord) -> [OutboxEntry]) async throws -> (requeued: Int, failed: [TaskRecord]) {
        try await write { db in
            let rows = try Data.fetchAll(db, sql: "SELECT record FROM tasks WHERE status = 'processing' AND lease_until < ?",
                                         arguments: [expiredBefore.timeIntervalSince1970])
            var requeued = 0
            var failed: [TaskRecord] = []
            for data in rows {
                var task = try RecordCoding.decode(TaskRecord.self, from: data)
                if task.attempts >= maxAttempts {
                    task.status = .failed
                    task.finishedAt = now
                    task.progress = 100
                    task.errorCode = "InternalError"
                    task.errorMessage = "The worker running this task stopped \(task.attempts) times; the task was not retried again."
                    failed.append(task)
                    try Self.record(outbox(task), for: task, in: db)
                } else {
                    task.status = .waiting
                    task.progress = 0
                    requeued += 1
                }
                try Self.save(task, leaseUntil: nil, in: db)
            }
            return (requeued, failed)
        }
    }

    public func release(id: String) async throws {
        try await write { db in
            guard let data = try Data.fetchOne(db, sql: "SELECT record FROM tasks WHERE id = ? AND status = 'processing'",
                                               arguments: [id])
            else { return }
            var task = try RecordCoding.decode(TaskRecord.self, from: data)
            task.status = .waiting
            task.progress = 0
            // A release is not a failed attempt: the task did not get to finish through no fault of its own.
            task.attempts = max(task.attempts - 1, 0)
            try Self.save(task, leaseUntil: nil, in: db)
        }
    }

    public func queuePosition(of task: TaskRecord) async throws -> Int {
        guard task.status == .waiting else { return 0 }
        return try await read { db in
            let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM tasks WHERE id = ?", arguments: [task.id]) ?? 0
            return try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM tasks WHERE status = 'waiting' AND (priority > ? OR (priority = ? AND seq < ?))
                """, arguments: [task.priority, task.priority, seq]) ?? 0
        }
    }

    public func setConcurrency(_ limit: Int?, for tenant: Tenant) async throws {
        try await write { db in
            if let limit {
                try db.execute(sql: "INSERT OR REPLACE INTO app_limits (app_id, sub_app_id, max_concurrency) VALUES (?, ?, ?)",
                               arguments: [tenant.appId, tenant.subAppId, limit])
            } else {
                try db.execute(sql: "DELETE FROM app_limits WHERE app_id = ? AND sub_app_id = ?",
                               arguments: [tenant.appId, tenant.subAppId])
            }
        }
    }

    public func expiredBlobs(before now: Date, limit: Int) async throws -> [String] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT blob_key FROM blob_expiry WHERE expires_at < ? ORDER BY expires_at LIMIT ?",
                                arguments: [now.timeIntervalSince1970, limit])
        }
    }

    public func forgetBlobs(_ keys: [String]) async throws {
        try await write { db in
            for key in keys {
                try db.execute(sql: "DELETE FROM blob_expiry WHERE blob_key = ?", arguments: [key])
            }
        }
    }

    public func purgeSessions(before: Date) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE created_at < ?", arguments: [before.timeIntervalSince1970])
        }
    }

    public func purgeTasks(finishedBefore before: Date, dialect: Dialect?) async throws -> Int {
        try await write { db in
            if let dialect {
                try db.execute(sql: "DELETE FROM tasks WHERE dialect = ? AND finished_at IS NOT NULL AND finished_at < ?",
                               arguments: [dialect.rawValue, before.timeIntervalSince1970])
            } else {
                try db.execute(sql: "DELETE FROM tasks WHERE finished_at IS NOT NULL AND finished_at < ?",
                               arguments: [before.timeIntervalSince1970])
            }
            return db.changesCount
        }
    }

    static func save(_ task: TaskRecord, leaseUntil: Date?, in db: Database) throws {
        try db.execute(sql: """
            UPDATE tasks SET status = ?, finished_at = ?, lease_until = ?, record = ? WHERE id = ?
            """, arguments: [task.status.rawValue, task.finishedAt?.timeIntervalSince1970, leaseUntil?.timeIntervalSince1970,
                             try RecordCoding.encode(task), task.id])
    }
}
