import EaselCore
import Foundation
import GRDB

extension SQLiteStore: TaskStore {
    /// The columns a task is read from: its record plus the mutable state kept in columns.
    static let taskColumns = "seq, record, status, progress, attempts, started_at, finished_at, resume_token"

    /// Concurrent inserts share write transactions (group commit, see `SQLiteWriteBatcher`): each runs in its own
    /// savepoint and is answered only after its batch committed. An insert whose caller is cancelled once it joined a
    /// batch still commits.
    @discardableResult
    public func enqueue(_ task: TaskRecord, dedupKey: String?, dedupSince: Date) async throws -> InsertedTask {
        let record = RecordCoding.encode(task)
        let inserted = try await writes.submit { [defaultConcurrency] db in
            try Self.insert(task, record: record, dedupKey: dedupKey, dedupSince: dedupSince,
                            defaultConcurrency: defaultConcurrency, in: db)
        }
        guard let inserted else { throw StoreError.unavailable("the insert of \(task.id) reported nothing") }
        return inserted
    }

    /// Writes a new waiting task with its dedup key, usage and queue bookkeeping inside the caller's transaction, and
    /// returns its queue position and whether it can run now.
    static func insert(_ task: TaskRecord, record: Data, dedupKey: String?, dedupSince: Date, defaultConcurrency: Int,
                       in db: Database) throws -> InsertedTask {
        if let key = dedupKey, !key.isEmpty {
            let previous = try Double.fetchOne(db.cachedStatement(sql: """
                SELECT created_at FROM sessions WHERE app_id = ? AND sub_app_id = ? AND session_id = ?
                """), arguments: [task.tenant.appId, task.tenant.subAppId, key])
            if let previous, previous >= dedupSince.timeIntervalSince1970 { throw StoreError.duplicateSession }
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO sessions (app_id, sub_app_id, session_id, task_id, created_at) VALUES (?, ?, ?, ?, ?)
                """).execute(arguments: [task.tenant.appId, task.tenant.subAppId, key, task.id,
                                         task.createdAt.timeIntervalSince1970])
        }
        try db.cachedStatement(sql: """
            INSERT INTO tasks (id, app_id, sub_app_id, status, priority, created_at, record, dialect, progress, attempts,
                               model, key_id, session_id)
            VALUES (?, ?, ?, 'waiting', ?, ?, ?, ?, 0, 0, ?, ?, ?)
            """).execute(arguments: [task.id, task.tenant.appId, task.tenant.subAppId, task.priority,
                                     task.createdAt.timeIntervalSince1970, record, task.dialect.rawValue, task.model,
                                     task.keyId, task.sessionId])
        let seq = db.lastInsertedRowID
        try count(.created(task), in: db)
        let queue = QueueState(db: db, defaultConcurrency: defaultConcurrency)
        let position = try queue.positionOfNewTask(priority: task.priority)
        try queue.countWaiting(priority: task.priority, seq: seq, delta: 1)
        try queue.ensureTenant(task.tenant)
        try queue.offerHead(task.tenant, priority: task.priority, seq: seq)
        return InsertedTask(queuePosition: position, isRunnable: try queue.isRunnable(task.tenant))
    }

    public func taskId(sessionId: String, tenant: Tenant) async throws -> TaskID? {
        try await read { db in
            try TaskID.fetchOne(db, sql: "SELECT task_id FROM sessions WHERE app_id = ? AND sub_app_id = ? AND session_id = ?",
                                arguments: [tenant.appId, tenant.subAppId, sessionId])
        }
    }

    public func task(id: TaskID, tenant: Tenant?) async throws -> TaskRecord? {
        let task = try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.taskColumns) FROM tasks WHERE id = ?"), arguments: [id])
                .map(Self.task(from:))
        }
        guard let task else { return nil }
        if let tenant, task.tenant != tenant { return nil }
        return task
    }

    public func tasks(tenant: Tenant, statuses: [TaskStatus]?, since: Date, limit: Int, offset: Int) async throws -> [TaskRecord] {
        try await read { db in
            var sql = "SELECT \(Self.taskColumns) FROM tasks WHERE app_id = ? AND sub_app_id = ? AND created_at >= ?"
            var arguments: StatementArguments = [tenant.appId, tenant.subAppId, since.timeIntervalSince1970]
            if let statuses, !statuses.isEmpty {
                sql += " AND status IN (\(statuses.map { _ in "?" }.joined(separator: ",")))"
                arguments += StatementArguments(statuses.map(\.rawValue))
            }
            sql += " ORDER BY seq DESC LIMIT ? OFFSET ?"
            arguments += [limit, offset]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.task(from:))
        }
    }

    public func abort(id: TaskID, tenant: Tenant, at: Date,
                      outbox: @escaping @Sendable (TaskRecord) -> [OutboxEntry]) async throws -> TaskRecord {
        try await write { [defaultConcurrency] db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT \(Self.taskColumns), priority FROM tasks WHERE id = ? AND app_id = ? AND sub_app_id = ?
                """, arguments: [id, tenant.appId, tenant.subAppId])
            else { throw StoreError.notFound }
            var task = try Self.task(from: row)
            guard try task.applyAbort(at: at) else { return task }
            try Self.saveFinal(task, in: db)
            try Self.count(.aborted(task), in: db)
            let queue = QueueState(db: db, defaultConcurrency: defaultConcurrency)
            try queue.countWaiting(priority: row["priority"], seq: row["seq"], delta: -1)
            try queue.recomputeHead(tenant)
            try Self.record(outbox(task), for: task, in: db)
            return task
        }
    }

    public func queuePosition(of task: TaskRecord) async throws -> Int {
        guard task.status == .waiting else { return 0 }
        return try await read { [defaultConcurrency] db in
            guard let row = try Row.fetchOne(db, sql: "SELECT seq, priority FROM tasks WHERE id = ? AND status = 'waiting'",
                                             arguments: [task.id])
            else { return 0 }
            return try QueueState(db: db, defaultConcurrency: defaultConcurrency).position(priority: row["priority"], seq: row["seq"])
        }
    }

    public func setConcurrency(_ limit: Int?, for tenant: Tenant) async throws {
        try await write { [defaultConcurrency] db in
            try QueueState(db: db, defaultConcurrency: defaultConcurrency).setLimit(limit.map { max($0, 0) }, for: tenant)
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

    /// A task from a row of `taskColumns`: the record as last written whole, with the live columns laid over it.
    static func task(from row: Row) throws -> TaskRecord {
        var task = try RecordCoding.decode(TaskRecord.self, from: row["record"])
        if let status = TaskStatus(rawValue: row["status"]) { task.status = status }
        task.progress = row["progress"]
        task.attempts = row["attempts"]
        if let started: Double = row["started_at"] { task.startedAt = Date(timeIntervalSince1970: started) }
        if let finished: Double = row["finished_at"] { task.finishedAt = Date(timeIntervalSince1970: finished) }
        if let resumeToken: String = row["resume_token"] { task.run.resumeToken = resumeToken }
        return task
    }

    /// Writes a task's terminal state: the whole record and its columns, lease cleared.
    static func saveFinal(_ task: TaskRecord, in db: Database) throws {
        try db.cachedStatement(sql: """
            UPDATE tasks SET status = ?, finished_at = ?, progress = ?, attempts = ?, lease_until = NULL,
                             lease_token = NULL, record = ?
            WHERE id = ?
            """).execute(arguments: [task.status.rawValue, task.finishedAt?.timeIntervalSince1970, task.progress,
                                     task.attempts, RecordCoding.encode(task), task.id])
    }
}
