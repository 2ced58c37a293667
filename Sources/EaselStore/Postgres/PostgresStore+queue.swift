import EaselCore
import Foundation
import PostgresNIO

/// Claims, leases and the end of a running task. Every write after the claim names the claim's lease token; a
/// write that finds another token (the task was recovered and claimed again, perhaps by another node) changes
/// nothing and throws `StoreError.leaseLost`.
extension PostgresStore {
    public func claim(now: Date, leaseUntil: Date, limit: Int) async throws -> [ClaimedTask] {
        guard limit > 0 else { return [] }
        // An idle poll (the common case on many nodes) costs one indexed read instead of a transaction; a head that
        // becomes runnable right after it is found by the next poll or wake-up.
        let anyRunnable = try await statement { tx in
            try await tx.scalar("SELECT EXISTS (SELECT 1 FROM queue_tenants WHERE runnable)", as: Bool.self) ?? false
        }
        guard anyRunnable else { return [] }
        return try await transaction { [defaultConcurrency] tx in
            let queue = PostgresQueueState(tx: tx, defaultConcurrency: defaultConcurrency)
            var claimed: [ClaimedTask] = []
            var counts = WaitingCounts()
            // Each pass locks one tenant row; the locks are held to the commit, so no other node can claim for
            // the same tenant meanwhile and its running count stays exact.
            while claimed.count < limit, let (tenant, seq) = try await queue.lockNextRunnable() {
                let token = UUID().uuidString
                // A head that is no longer waiting means the bookkeeping drifted; claimHead re-derived it, go on.
                guard let row = try await queue.claimHead(tenant, seq: seq, token: token, now: now, leaseUntil: leaseUntil)
                else { continue }
                counts.add(priority: try Self.column(row, "priority"), seq: seq, delta: -1)
                let task = try Self.task(from: row)
                claimed.append(ClaimedTask(task: task, lease: TaskLease(taskId: task.id, token: token)))
            }
            try await counts.apply(in: tx)
            return claimed
        }
    }

    public func checkpoint(_ lease: TaskLease, resumeToken: String) async throws {
        let changed = try await statement { tx in
            try await tx.run("""
                UPDATE tasks SET resume_token = \(resumeToken)
                WHERE id = \(lease.taskId) AND lease_token = \(lease.token) AND status = 'processing' RETURNING 1
                """)
        }
        if changed == 0 { throw StoreError.leaseLost }
    }

    public func heartbeat(_ lease: TaskLease, progress: Int, leaseUntil: Date) async throws {
        let changed = try await statement { tx in
            try await tx.run("""
                UPDATE tasks SET progress = GREATEST(progress, \(progress)), lease_until = \(leaseUntil.timeIntervalSince1970)
                WHERE id = \(lease.taskId) AND lease_token = \(lease.token) AND status = 'processing' RETURNING 1
                """)
        }
        if changed == 0 { throw StoreError.leaseLost }
    }

    public func renewLeases(_ leases: [TaskLease], until: Date) async throws -> Set<TaskLease> {
        var lost = Set<TaskLease>()
        // In chunks, so one statement never holds thousands of row locks that finishes on other nodes wait for.
        for chunk in leases.chunks(of: TaskLease.renewalBatch) {
            let held = try await statement { tx in
                try await tx.rows("""
                    UPDATE tasks SET lease_until = \(until.timeIntervalSince1970)
                    WHERE id = ANY(\(chunk.map(\.taskId.rawValue))) AND lease_token = ANY(\(chunk.map(\.token)))
                      AND status = 'processing'
                    RETURNING lease_token
                    """).map { try $0.decode(String.self) }
            }
            // Tokens are unique per claim, so a returned token names exactly one of the leases sent.
            let renewed = Set(held)
            lost.formUnion(chunk.filter { !renewed.contains($0.token) })
        }
        return lost
    }

    public func finish(_ task: TaskRecord, lease: TaskLease, outbox: [OutboxEntry]) async throws {
        let record = RecordCoding.encode(task)
        try await transactionIgnoringCancellation { [defaultConcurrency] tx in
            let queue = PostgresQueueState(tx: tx, defaultConcurrency: defaultConcurrency)
            try await queue.lockTenant(task.tenant)
            guard let changed = try await tx.row("""
                UPDATE tasks SET status = \(task.status.rawValue),
                                 finished_at = \(task.finishedAt?.timeIntervalSince1970)::double precision,
                                 progress = \(task.progress), lease_until = NULL, lease_token = NULL, record = \(record),
                                 resume_token = \(task.run.resumeToken)::text
                WHERE id = \(lease.taskId) AND lease_token = \(lease.token) AND status = 'processing'
                RETURNING started_at
                """) else { throw StoreError.leaseLost }
            let startedAt = try changed.decode(Double?.self).map(Date.init(timeIntervalSince1970:))
            try await queue.adjustRunning(task.tenant, by: -1)
            try await Self.record(outbox, for: task, in: tx)
            try await Self.notify(.finished(taskId: task.id, tenant: task.tenant), in: tx)
            let expiring = task.outputs.filter { $0.storageMode == .temporary && $0.expiresAt != nil }
            for output in expiring.sorted(by: { $0.blobKey < $1.blobKey }) {
                try await tx.run("""
                    INSERT INTO blob_expiry (blob_key, expires_at) VALUES (\(output.blobKey), \(output.expiresAt!.timeIntervalSince1970))
                    ON CONFLICT (blob_key) DO UPDATE SET expires_at = EXCLUDED.expires_at
                    """)
            }
            try await UsageChanges.apply(.finished(task, startedAt: startedAt), in: tx)
        }
    }

    public func release(_ lease: TaskLease) async throws {
        try await transactionIgnoringCancellation { [defaultConcurrency] tx in
            // The tenant is locked before the task row (the store's lock order), so it is looked up first.
            guard let owner = try await tx.row("SELECT app_id, sub_app_id FROM tasks WHERE id = \(lease.taskId)")
            else { throw StoreError.leaseLost }
            let (appId, subAppId) = try owner.decode((Int64, Int64).self)
            let tenant = Tenant(appId: appId, subAppId: subAppId)
            let queue = PostgresQueueState(tx: tx, defaultConcurrency: defaultConcurrency)
            try await queue.lockTenant(tenant)
            // A release is not a failed attempt: the task did not get to finish through no fault of its own.
            guard let row = try await tx.row("""
                UPDATE tasks SET status = 'waiting', progress = 0, attempts = GREATEST(attempts - 1, 0), lease_until = NULL,
                                 lease_token = NULL
                WHERE id = \(lease.taskId) AND lease_token = \(lease.token) AND status = 'processing'
                RETURNING priority, seq
                """)
            else { throw StoreError.leaseLost }
            let (priority, seq) = try row.decode((Int, Int64).self)
            var counts = WaitingCounts()
            try await Self.requeue(tenant, priority: priority, seq: seq, queue: queue, counts: &counts)
            try await counts.apply(in: tx)
            try await Self.notify(.queued, in: tx)
        }
    }

    public func recoverExpiredLeases(expiredBefore: Date, now: Date, maxAttempts: Int,
                                     outbox: @escaping @Sendable (TaskRecord) -> [OutboxEntry]) async throws -> (requeued: Int, failed: [TaskRecord]) {
        let cutoff = expiredBefore.timeIntervalSince1970
        return try await transaction { [defaultConcurrency] tx in
            let queue = PostgresQueueState(tx: tx, defaultConcurrency: defaultConcurrency)
            let owners = try await tx.rows("""
                SELECT DISTINCT app_id, sub_app_id FROM tasks WHERE status = 'processing' AND lease_until < \(cutoff)
                """).map { row in
                let (appId, subAppId) = try row.decode((Int64, Int64).self)
                return Tenant(appId: appId, subAppId: subAppId)
            }
            guard !owners.isEmpty else { return (0, []) }
            let tenants = Set(owners)
            try await queue.lockTenants(tenants)
            // Read again under the locks: another node may have recovered or finished some of them meanwhile.
            let rows = try await tx.rows("""
                SELECT \(unescaped: Self.taskColumns), priority FROM tasks
                WHERE status = 'processing' AND lease_until < \(cutoff) ORDER BY seq FOR UPDATE
                """)
            var requeued = 0
            var failed: [TaskRecord] = []
            var counts = WaitingCounts()
            var usage = UsageChanges()
            for row in rows {
                var task = try Self.task(from: row)
                // An expiry of a tenant that was not locked above is left to the next sweep.
                guard tenants.contains(task.tenant) else { continue }
                if task.attempts >= maxAttempts {
                    task.failAsInterrupted(at: now)
                    try await Self.saveFinal(task, in: tx)
                    usage.add(.interrupted(task))
                    try await queue.adjustRunning(task.tenant, by: -1)
                    try await Self.record(outbox(task), for: task, in: tx)
                    try await Self.notify(.finished(taskId: task.id, tenant: task.tenant), in: tx)
                    failed.append(task)
                } else {
                    let seq = try row.decode(Int64.self)
                    try await tx.run("""
                        UPDATE tasks SET status = 'waiting', progress = 0, lease_until = NULL, lease_token = NULL WHERE seq = \(seq)
                        """)
                    try await Self.requeue(task.tenant, priority: try Self.column(row, "priority"), seq: seq,
                                           queue: queue, counts: &counts)
                    requeued += 1
                }
            }
            try await counts.apply(in: tx)
            try await usage.apply(in: tx)
            if requeued > 0 { try await Self.notify(.queued, in: tx) }
            return (requeued, failed)
        }
    }

    // A processing task went back to waiting, in its old place.
    private static func requeue(_ tenant: Tenant, priority: Int, seq: Int64, queue: PostgresQueueState,
                                counts: inout WaitingCounts) async throws {
        counts.add(priority: priority, seq: seq, delta: 1)
        try await queue.adjustRunning(tenant, by: -1)
        try await queue.offerHead(tenant, priority: priority, seq: seq)
    }

    /// The integer in `row`'s column `name`.
    static func column(_ row: PostgresRow, _ name: String) throws -> Int {
        try row.makeRandomAccess()[name].decode(Int.self)
    }
}
