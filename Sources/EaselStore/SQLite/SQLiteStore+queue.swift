import EaselCore
import Foundation
import GRDB

/// Claims, leases and the end of a running task. Every write after the claim names the claim's lease token; a
/// write that finds another token (the task was recovered and claimed again) changes nothing and throws
/// `StoreError.leaseLost`.
extension SQLiteStore {
    public func claim(now: Date, leaseUntil: Date, limit: Int) async throws -> [ClaimedTask] {
        guard limit > 0 else { return [] }
        return try await write { [defaultConcurrency] db in
            let queue = QueueState(db: db, defaultConcurrency: defaultConcurrency)
            var claimed: [ClaimedTask] = []
            while claimed.count < limit, let (tenant, seq) = try queue.nextRunnable() {
                let token = UUID().uuidString
                guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                    UPDATE tasks SET status = 'processing', started_at = ?, attempts = attempts + 1, lease_until = ?,
                                     lease_token = ?
                    WHERE seq = ? AND status = 'waiting'
                    RETURNING \(Self.taskColumns), priority
                    """), arguments: [now.timeIntervalSince1970, leaseUntil.timeIntervalSince1970, token, seq])
                else {
                    // A head that is no longer waiting means the bookkeeping drifted; re-derive it and go on.
                    try queue.recomputeHead(tenant)
                    continue
                }
                try queue.countWaiting(priority: row["priority"], seq: seq, delta: -1)
                try queue.adjustRunning(tenant, by: 1)
                try queue.recomputeHead(tenant)
                let task = try Self.task(from: row)
                claimed.append(ClaimedTask(task: task, lease: TaskLease(taskId: task.id, token: token)))
            }
            return claimed
        }
    }

    // Checkpoints and heartbeats join the group-commit batches too: 10,000 running tasks send ~500 heartbeats a
    // second, which as transactions of their own competed with every create and finish for the writer.
    public func checkpoint(_ lease: TaskLease, resumeToken: String) async throws {
        try await writes.submit { db in
            try db.cachedStatement(sql: """
                UPDATE tasks SET resume_token = ? WHERE id = ? AND lease_token = ? AND status = 'processing'
                """).execute(arguments: [resumeToken, lease.taskId, lease.token])
            if db.changesCount == 0 { throw StoreError.leaseLost }
            return nil
        }
    }

    public func heartbeat(_ lease: TaskLease, progress: Int, leaseUntil: Date) async throws {
        try await writes.submit { db in
            try db.cachedStatement(sql: """
                UPDATE tasks SET progress = MAX(progress, ?), lease_until = ?
                WHERE id = ? AND lease_token = ? AND status = 'processing'
                """).execute(arguments: [progress, leaseUntil.timeIntervalSince1970, lease.taskId, lease.token])
            if db.changesCount == 0 { throw StoreError.leaseLost }
            return nil
        }
    }

    public func renewLeases(_ leases: [TaskLease], until: Date) async throws -> Set<TaskLease> {
        var lost = Set<TaskLease>()
        // In chunks, so one renewal of 10,000 leases never holds the writer long enough to delay a create.
        for chunk in leases.chunks(of: TaskLease.renewalBatch) {
            lost.formUnion(try await write { db in
                let statement = try db.cachedStatement(sql: """
                    UPDATE tasks SET lease_until = ? WHERE id = ? AND lease_token = ? AND status = 'processing'
                    """)
                var lost = [TaskLease]()
                for lease in chunk {
                    try statement.execute(arguments: [until.timeIntervalSince1970, lease.taskId, lease.token])
                    if db.changesCount == 0 { lost.append(lease) }
                }
                return lost
            })
        }
        return lost
    }

    /// Finishes share write transactions with other finishes and inserts (group commit, see `SQLiteWriteBatcher`)
    /// and complete although the caller is cancelled.
    public func finish(_ task: TaskRecord, lease: TaskLease, outbox: [OutboxEntry]) async throws {
        let record = RecordCoding.encode(task)
        try await writes.submit(ignoringCancellation: true) { [defaultConcurrency] db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                UPDATE tasks SET status = ?, finished_at = ?, progress = ?, lease_until = NULL, lease_token = NULL,
                                 record = ?, resume_token = ?
                WHERE id = ? AND lease_token = ? AND status = 'processing'
                RETURNING started_at
                """), arguments: [task.status.rawValue, task.finishedAt?.timeIntervalSince1970, task.progress, record,
                                  task.run.resumeToken, lease.taskId, lease.token])
            else { throw StoreError.leaseLost }
            let startedAt: Double? = row["started_at"]
            try Self.count(.finished(task, startedAt: startedAt.map(Date.init(timeIntervalSince1970:))), in: db)
            try QueueState(db: db, defaultConcurrency: defaultConcurrency).adjustRunning(task.tenant, by: -1)
            try Self.record(outbox, for: task, in: db)
            for output in task.outputs where output.storageMode == .temporary {
                guard let expiresAt = output.expiresAt else { continue }
                try db.execute(sql: "INSERT OR REPLACE INTO blob_expiry (blob_key, expires_at) VALUES (?, ?)",
                               arguments: [output.blobKey, expiresAt.timeIntervalSince1970])
            }
            return nil
        }
    }

    public func release(_ lease: TaskLease) async throws {
        try await writeIgnoringCancellation { [defaultConcurrency] db in
            // A release is not a failed attempt: the task did not get to finish through no fault of its own.
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                UPDATE tasks SET status = 'waiting', progress = 0, attempts = MAX(attempts - 1, 0), lease_until = NULL,
                                 lease_token = NULL
                WHERE id = ? AND lease_token = ? AND status = 'processing'
                RETURNING app_id, sub_app_id, priority, seq
                """), arguments: [lease.taskId, lease.token])
            else { throw StoreError.leaseLost }
            try Self.requeue(row, in: QueueState(db: db, defaultConcurrency: defaultConcurrency))
        }
    }

    public func recoverExpiredLeases(expiredBefore: Date, now: Date, maxAttempts: Int,
                                     outbox: @escaping @Sendable (TaskRecord) -> [OutboxEntry]) async throws -> (requeued: Int, failed: [TaskRecord]) {
        try await write { [defaultConcurrency] db in
            let queue = QueueState(db: db, defaultConcurrency: defaultConcurrency)
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(Self.taskColumns), app_id, sub_app_id, priority FROM tasks
                WHERE status = 'processing' AND lease_until < ?
                """, arguments: [expiredBefore.timeIntervalSince1970])
            var requeued = 0
            var failed: [TaskRecord] = []
            for row in rows {
                var task = try Self.task(from: row)
                if task.attempts >= maxAttempts {
                    task.failAsInterrupted(at: now)
                    try Self.saveFinal(task, in: db)
                    try Self.count(.interrupted(task), in: db)
                    try queue.adjustRunning(task.tenant, by: -1)
                    try Self.record(outbox(task), for: task, in: db)
                    failed.append(task)
                } else {
                    try db.execute(sql: """
                        UPDATE tasks SET status = 'waiting', progress = 0, lease_until = NULL, lease_token = NULL WHERE seq = ?
                        """, arguments: [row["seq"]])
                    try Self.requeue(row, in: queue)
                    requeued += 1
                }
            }
            return (requeued, failed)
        }
    }

    // A processing task (row with app_id, sub_app_id, priority, seq) went back to waiting, in its old place.
    private static func requeue(_ row: Row, in queue: QueueState) throws {
        let tenant = Tenant(appId: row["app_id"], subAppId: row["sub_app_id"])
        try queue.countWaiting(priority: row["priority"], seq: row["seq"], delta: 1)
        try queue.adjustRunning(tenant, by: -1)
        try queue.offerHead(tenant, priority: row["priority"], seq: row["seq"])
    }
}
