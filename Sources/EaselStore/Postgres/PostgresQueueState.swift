import EaselCore
import Foundation
import PostgresNIO

/// The PostgreSQL twin of `QueueState`: the same tables and invariants, inside the caller's transaction.
///
/// Lock order, which keeps concurrent transactions free of deadlocks: a tenant's `queue_tenants` row first (claims
/// take it with `SKIP LOCKED` and so never wait for one; every other writer takes it before touching that tenant's
/// task rows), then task rows, then the `queue_totals` and `queue_counts` rows, always last and in key order
/// (`WaitingCounts.apply`). Nullable parameters carry explicit casts: postgres-nio sends NULLs untyped.
struct PostgresQueueState {
    let tx: PostgresTransaction
    let defaultConcurrency: Int

    /// The best runnable head across tenants, with its tenant row locked; tenants locked by other claimers are
    /// skipped, so claimers on any node never wait for each other.
    func lockNextRunnable() async throws -> (tenant: Tenant, seq: Int64)? {
        guard let row = try await tx.row("""
            SELECT app_id, sub_app_id, head_seq FROM queue_tenants WHERE runnable
            ORDER BY head_priority DESC, head_seq LIMIT 1 FOR UPDATE SKIP LOCKED
            """) else { return nil }
        let (appId, subAppId, seq) = try row.decode((Int64, Int64, Int64).self)
        return (Tenant(appId: appId, subAppId: subAppId), seq)
    }

    /// Makes sure the tenant has a row and locks it.
    func lockTenant(_ tenant: Tenant) async throws {
        let lock: PostgresQuery = """
            SELECT 1 FROM queue_tenants WHERE app_id = \(tenant.appId) AND sub_app_id = \(tenant.subAppId) FOR UPDATE
            """
        if try await tx.run(lock) > 0 { return }
        try await tx.run("""
            INSERT INTO queue_tenants (app_id, sub_app_id) VALUES (\(tenant.appId), \(tenant.subAppId)) ON CONFLICT DO NOTHING
            """)
        try await tx.run(lock)
    }

    /// Moves the waiting task `seq` of the locked `tenant` to processing under `token`, and in the same statement
    /// counts it running and makes the tenant's next waiting task its head. The row as claimed (`taskColumns`, then
    /// `priority`), or nil when the task was no longer waiting (the head is re-derived all the same).
    func claimHead(_ tenant: Tenant, seq: Int64, token: String, now: Date, leaseUntil: Date) async throws -> PostgresRow? {
        // One snapshot serves the whole statement, so the next head is looked up without the claimed task.
        try await tx.row("""
            WITH claimed AS (
                UPDATE tasks SET status = 'processing', started_at = \(now.timeIntervalSince1970), attempts = attempts + 1,
                                 lease_until = \(leaseUntil.timeIntervalSince1970), lease_token = \(token)
                WHERE seq = \(seq) AND status = 'waiting'
                RETURNING \(unescaped: PostgresStore.taskColumns), priority
            ), head AS (
                SELECT priority, seq FROM tasks
                WHERE app_id = \(tenant.appId) AND sub_app_id = \(tenant.subAppId) AND status = 'waiting' AND seq <> \(seq)
                ORDER BY priority DESC, seq LIMIT 1
            ), tenant AS (
                UPDATE queue_tenants SET running = running + (SELECT COUNT(*) FROM claimed),
                    head_priority = (SELECT priority FROM head), head_seq = (SELECT seq FROM head),
                    runnable = (EXISTS (SELECT 1 FROM head)
                                AND running + (SELECT COUNT(*) FROM claimed) < COALESCE(max_concurrency, \(defaultConcurrency)))
                WHERE app_id = \(tenant.appId) AND sub_app_id = \(tenant.subAppId)
            )
            SELECT * FROM claimed
            """)
    }

    /// Locks the rows of several tenants in key order (recovery touches many at once).
    func lockTenants(_ tenants: Set<Tenant>) async throws {
        for tenant in tenants.sorted(by: { ($0.appId, $0.subAppId) < ($1.appId, $1.subAppId) }) {
            try await lockTenant(tenant)
        }
    }

    /// A waiting task at (`priority`, `seq`) became available: it becomes the tenant's head if it is better.
    /// Returns whether the task became a head that can run now (so a dispatcher somewhere has work).
    @discardableResult
    func offerHead(_ tenant: Tenant, priority: Int, seq: Int64) async throws -> Bool {
        try await tx.scalar("""
            UPDATE queue_tenants SET head_priority = \(priority), head_seq = \(seq),
                runnable = (running < COALESCE(max_concurrency, \(defaultConcurrency)))
            WHERE app_id = \(tenant.appId) AND sub_app_id = \(tenant.subAppId)
              AND (head_seq IS NULL OR head_priority < \(priority) OR (head_priority = \(priority) AND head_seq > \(seq)))
            RETURNING runnable
            """, as: Bool.self) ?? false
    }

    /// Looks the tenant's best waiting task up again (after its head was claimed or aborted).
    func recomputeHead(_ tenant: Tenant) async throws {
        try await tx.run("""
            WITH head AS (
                SELECT priority, seq FROM tasks WHERE app_id = \(tenant.appId) AND sub_app_id = \(tenant.subAppId)
                  AND status = 'waiting' ORDER BY priority DESC, seq LIMIT 1
            )
            UPDATE queue_tenants SET head_priority = (SELECT priority FROM head), head_seq = (SELECT seq FROM head),
                runnable = (EXISTS (SELECT 1 FROM head) AND running < COALESCE(max_concurrency, \(defaultConcurrency)))
            WHERE app_id = \(tenant.appId) AND sub_app_id = \(tenant.subAppId)
            """)
    }

    /// Changes the tenant's running count by `delta` and whether it may run more.
    func adjustRunning(_ tenant: Tenant, by delta: Int) async throws {
        try await tx.run("""
            UPDATE queue_tenants SET running = GREATEST(running + \(delta), 0),
                runnable = (head_seq IS NOT NULL AND GREATEST(running + \(delta), 0) < COALESCE(max_concurrency, \(defaultConcurrency)))
            WHERE app_id = \(tenant.appId) AND sub_app_id = \(tenant.subAppId)
            """)
    }

    /// Sets the tenant's limit (nil: the default).
    func setLimit(_ limit: Int?, for tenant: Tenant) async throws {
        try await lockTenant(tenant)
        try await tx.run("""
            UPDATE queue_tenants SET max_concurrency = \(limit)::bigint,
                runnable = (head_seq IS NOT NULL AND running < COALESCE(\(limit)::bigint, \(defaultConcurrency)))
            WHERE app_id = \(tenant.appId) AND sub_app_id = \(tenant.subAppId)
            """)
    }

    /// Waiting tasks that run before the waiting task at (`priority`, `seq`): higher priorities, earlier blocks of
    /// its own priority, and the earlier tasks of its own block (at most 1,023 index entries).
    func position(priority: Int, seq: Int64) async throws -> Int {
        let bucket = seq >> QueueState.bucketShift
        return try await tx.scalar("""
            SELECT ((SELECT COALESCE(SUM(waiting), 0) FROM queue_totals WHERE priority > \(priority))
                  + (SELECT COALESCE(SUM(waiting), 0) FROM queue_counts WHERE priority = \(priority) AND bucket < \(bucket))
                  + (SELECT COUNT(*) FROM tasks WHERE status = 'waiting' AND priority = \(priority)
                       AND seq >= \(bucket << QueueState.bucketShift) AND seq < \(seq)))::bigint
            """, as: Int.self) ?? 0
    }

    /// Re-derives every tenant's `runnable` flag (the default limit may have changed since the last start).
    func refreshAllTenants() async throws {
        try await tx.run("""
            UPDATE queue_tenants SET runnable = new.runnable
            FROM (SELECT app_id, sub_app_id,
                         (head_seq IS NOT NULL AND running < COALESCE(max_concurrency, \(defaultConcurrency))) AS runnable
                  FROM queue_tenants) AS new
            WHERE queue_tenants.app_id = new.app_id AND queue_tenants.sub_app_id = new.sub_app_id
              AND queue_tenants.runnable IS DISTINCT FROM new.runnable
            """)
    }
}

/// Changes to the per-priority waiting counts gathered during a transaction and written at its end in key order,
/// so that two transactions touching the same counters always lock them in the same order.
struct WaitingCounts {
    private var totals: [Int: Int] = [:]
    private var blocks: [BlockKey: Int] = [:]

    private struct BlockKey: Hashable, Comparable {
        let priority: Int
        let bucket: Int64
        static func < (a: Self, b: Self) -> Bool { (a.priority, a.bucket) < (b.priority, b.bucket) }
    }

    /// Counts a task entering (`delta` 1) or leaving (−1) the waiting state.
    mutating func add(priority: Int, seq: Int64, delta: Int) {
        totals[priority, default: 0] += delta
        blocks[BlockKey(priority: priority, bucket: seq >> QueueState.bucketShift), default: 0] += delta
    }

    /// Adds `other`'s changes to these.
    mutating func merge(_ other: WaitingCounts) {
        totals.merge(other.totals, uniquingKeysWith: +)
        blocks.merge(other.blocks, uniquingKeysWith: +)
    }

    /// The change these make to the waiting tasks of `priority` and above.
    func waiting(atOrAbove priority: Int) -> Int {
        totals.reduce(0) { $0 + ($1.key >= priority ? $1.value : 0) }
    }

    /// Writes the gathered changes.
    func apply(in tx: PostgresTransaction) async throws {
        for (priority, delta) in totals.sorted(by: { $0.key < $1.key }) where delta != 0 {
            try await tx.run("""
                INSERT INTO queue_totals (priority, waiting) VALUES (\(priority), \(delta))
                ON CONFLICT (priority) DO UPDATE SET waiting = queue_totals.waiting + EXCLUDED.waiting
                """)
        }
        for (key, delta) in blocks.sorted(by: { $0.key < $1.key }) where delta != 0 {
            try await tx.run("""
                INSERT INTO queue_counts (priority, bucket, waiting) VALUES (\(key.priority), \(key.bucket), \(delta))
                ON CONFLICT (priority, bucket) DO UPDATE SET waiting = queue_counts.waiting + EXCLUDED.waiting
                """)
        }
    }
}
