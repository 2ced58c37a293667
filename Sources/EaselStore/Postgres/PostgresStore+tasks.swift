import EaselCore
import Foundation
import PostgresNIO

extension PostgresStore: TaskStore {
    /// The columns a task is read from: its record plus the mutable state kept in columns.
    static let taskColumns = "seq, record, status, progress, attempts, started_at, finished_at, resume_token"

    public func enqueue(_ task: TaskRecord, dedupKey: String?, dedupSince: Date) async throws -> InsertedTask {
        let write = BatchedInsert(task: task, record: RecordCoding.encode(task), dedupKey: dedupKey.flatMap { $0.isEmpty ? nil : $0 },
                                  dedupSince: dedupSince)
        return try await batched(write)
    }

    public func taskId(sessionId: String, tenant: Tenant) async throws -> TaskID? {
        try await transaction { tx in
            try await tx.scalar("""
                SELECT task_id FROM sessions WHERE app_id = \(tenant.appId) AND sub_app_id = \(tenant.subAppId)
                  AND session_id = \(sessionId)
                """, as: TaskID.self)
        }
    }

    public func task(id: TaskID, tenant: Tenant?) async throws -> TaskRecord? {
        let task = try await transaction { tx in
            try await tx.row("SELECT \(unescaped: Self.taskColumns) FROM tasks WHERE id = \(id)").map(Self.task(from:))
        }
        guard let task else { return nil }
        if let tenant, task.tenant != tenant { return nil }
        return task
    }

    public func tasks(tenant: Tenant, statuses: [TaskStatus]?, since: Date, limit: Int, offset: Int) async throws -> [TaskRecord] {
        let statusNames = statuses.flatMap { $0.isEmpty ? nil : $0.map(\.rawValue) }
        return try await transaction { tx in
            try await tx.rows("""
                SELECT \(unescaped: Self.taskColumns) FROM tasks
                WHERE app_id = \(tenant.appId) AND sub_app_id = \(tenant.subAppId)
                  AND created_at >= \(since.timeIntervalSince1970)
                  AND (\(statusNames)::text[] IS NULL OR status = ANY(\(statusNames)::text[]))
                ORDER BY seq DESC LIMIT \(limit) OFFSET \(offset)
                """).map(Self.task(from:))
        }
    }

    public func abort(id: TaskID, tenant: Tenant, at: Date,
                      outbox: @escaping @Sendable (TaskRecord) -> [OutboxEntry]) async throws -> TaskRecord {
        try await transaction { [defaultConcurrency] tx in
            let queue = PostgresQueueState(tx: tx, defaultConcurrency: defaultConcurrency)
            try await queue.lockTenant(tenant)
            guard let row = try await tx.row("""
                SELECT \(unescaped: Self.taskColumns), priority FROM tasks
                WHERE id = \(id) AND app_id = \(tenant.appId) AND sub_app_id = \(tenant.subAppId) FOR UPDATE
                """) else { throw StoreError.notFound }
            var task = try Self.task(from: row)
            guard try task.applyAbort(at: at) else { return task }
            try await Self.saveFinal(task, in: tx)
            try await queue.recomputeHead(tenant)
            var counts = WaitingCounts()
            counts.add(priority: try row.makeRandomAccess()["priority"].decode(Int.self), seq: try row.decode(Int64.self), delta: -1)
            try await counts.apply(in: tx)
            try await UsageChanges.apply(.aborted(task), in: tx)
            try await Self.record(outbox(task), for: task, in: tx)
            try await Self.notify(.finished(taskId: task.id, tenant: tenant), in: tx)
            return task
        }
    }

    public func queuePosition(of task: TaskRecord) async throws -> Int {
        guard task.status == .waiting else { return 0 }
        return try await transaction { [defaultConcurrency] tx in
            guard let row = try await tx.row("SELECT seq, priority FROM tasks WHERE id = \(task.id) AND status = 'waiting'")
            else { return 0 }
            let (seq, priority) = try row.decode((Int64, Int).self)
            return try await PostgresQueueState(tx: tx, defaultConcurrency: defaultConcurrency).position(priority: priority, seq: seq)
        }
    }

    public func setConcurrency(_ limit: Int?, for tenant: Tenant) async throws {
        try await transaction { [defaultConcurrency] tx in
            try await PostgresQueueState(tx: tx, defaultConcurrency: defaultConcurrency).setLimit(limit.map { max($0, 0) }, for: tenant)
        }
    }

    public func expiredBlobs(before now: Date, limit: Int) async throws -> [String] {
        try await transaction { tx in
            try await tx.rows("""
                SELECT blob_key FROM blob_expiry WHERE expires_at < \(now.timeIntervalSince1970) ORDER BY expires_at LIMIT \(limit)
                """).map { try $0.decode(String.self) }
        }
    }

    public func forgetBlobs(_ keys: [String]) async throws {
        guard !keys.isEmpty else { return }
        try await transaction { tx in
            try await tx.run("DELETE FROM blob_expiry WHERE blob_key = ANY(\(keys))")
        }
    }

    public func purgeSessions(before: Date) async throws {
        try await transaction { tx in
            try await tx.run("DELETE FROM sessions WHERE created_at < \(before.timeIntervalSince1970)")
        }
    }

    public func purgeTasks(finishedBefore before: Date, dialect: Dialect?) async throws -> Int {
        try await transaction { tx in
            try await tx.run("""
                DELETE FROM tasks WHERE finished_at IS NOT NULL AND finished_at < \(before.timeIntervalSince1970)
                  AND (\(dialect?.rawValue)::text IS NULL OR dialect = \(dialect?.rawValue)::text)
                RETURNING 1
                """)
        }
    }

    /// A task from a row starting with `taskColumns`: the record as last written whole, with the live columns laid
    /// over it.
    static func task(from row: PostgresRow) throws -> TaskRecord {
        let (_, record, status, progress, attempts, started, finished, resumeToken) =
            try row.decode((Int64, Data, String, Int, Int, Double?, Double?, String?).self)
        var task = try RecordCoding.decode(TaskRecord.self, from: record)
        if let status = TaskStatus(rawValue: status) { task.status = status }
        task.progress = progress
        task.attempts = attempts
        if let started { task.startedAt = Date(timeIntervalSince1970: started) }
        if let finished { task.finishedAt = Date(timeIntervalSince1970: finished) }
        if let resumeToken { task.run.resumeToken = resumeToken }
        return task
    }

    /// Writes a task's terminal state: the whole record and its columns, lease cleared.
    static func saveFinal(_ task: TaskRecord, in tx: PostgresTransaction) async throws {
        let record = RecordCoding.encode(task)
        try await tx.run("""
            UPDATE tasks SET status = \(task.status.rawValue), finished_at = \(task.finishedAt?.timeIntervalSince1970)::double precision,
                             progress = \(task.progress), attempts = \(task.attempts), lease_until = NULL,
                             lease_token = NULL, record = \(record)
            WHERE id = \(task.id)
            """)
    }
}
