import EaselCore
import GRDB

/// The bookkeeping that keeps SQLite queue operations O(log n), inside the caller's write transaction:
///
/// - `queue_tenants` holds, per tenant, its running count, its limit and its head (best waiting task by priority
///   then seq). `runnable` is set only while the tenant has a head and free capacity, and a partial index on it
///   orders the heads, so a claim reads one index entry and a saturated tenant is not even visited.
/// - `queue_totals` (waiting tasks per priority) and `queue_counts` (per priority and block of 1,024 seqs) give a
///   task's queue position without counting the queue.
struct QueueState {
    let db: Database
    let defaultConcurrency: Int

    static let bucketShift = 10

    /// The seq of the best runnable head across tenants, with its tenant.
    func nextRunnable() throws -> (tenant: Tenant, seq: Int64)? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT app_id, sub_app_id, head_seq FROM queue_tenants WHERE runnable = 1
            ORDER BY head_priority DESC, head_seq LIMIT 1
            """)) else { return nil }
        return (Tenant(appId: row[0], subAppId: row[1]), row[2])
    }

    /// Makes sure the tenant has a row.
    func ensureTenant(_ tenant: Tenant) throws {
        try db.cachedStatement(sql: "INSERT INTO queue_tenants (app_id, sub_app_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .execute(arguments: [tenant.appId, tenant.subAppId])
    }

    /// A waiting task at (`priority`, `seq`) became available: it becomes the tenant's head if it is better.
    func offerHead(_ tenant: Tenant, priority: Int, seq: Int64) throws {
        try db.cachedStatement(sql: """
            UPDATE queue_tenants SET head_priority = ?1, head_seq = ?2,
                runnable = (running < COALESCE(max_concurrency, ?3))
            WHERE app_id = ?4 AND sub_app_id = ?5
              AND (head_seq IS NULL OR head_priority < ?1 OR (head_priority = ?1 AND head_seq > ?2))
            """).execute(arguments: [priority, seq, defaultConcurrency, tenant.appId, tenant.subAppId])
    }

    /// Whether the tenant has a waiting head and room to run it.
    func isRunnable(_ tenant: Tenant) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT runnable FROM queue_tenants WHERE app_id = ? AND sub_app_id = ?"),
                          arguments: [tenant.appId, tenant.subAppId]) ?? false
    }

    /// Looks the tenant's best waiting task up again (after its head was claimed or aborted).
    func recomputeHead(_ tenant: Tenant) throws {
        let head = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT priority, seq FROM tasks WHERE app_id = ? AND sub_app_id = ? AND status = 'waiting'
            ORDER BY priority DESC, seq LIMIT 1
            """), arguments: [tenant.appId, tenant.subAppId])
        let priority: Int? = head?[0]
        let seq: Int64? = head?[1]
        try db.cachedStatement(sql: """
            UPDATE queue_tenants SET head_priority = ?1, head_seq = ?2,
                runnable = (?2 IS NOT NULL AND running < COALESCE(max_concurrency, ?3))
            WHERE app_id = ?4 AND sub_app_id = ?5
            """).execute(arguments: [priority, seq, defaultConcurrency, tenant.appId, tenant.subAppId])
    }

    /// Changes the tenant's running count by `delta` and whether it may run more.
    func adjustRunning(_ tenant: Tenant, by delta: Int) throws {
        try db.cachedStatement(sql: """
            UPDATE queue_tenants SET running = MAX(running + ?1, 0),
                runnable = (head_seq IS NOT NULL AND MAX(running + ?1, 0) < COALESCE(max_concurrency, ?2))
            WHERE app_id = ?3 AND sub_app_id = ?4
            """).execute(arguments: [delta, defaultConcurrency, tenant.appId, tenant.subAppId])
    }

    /// Sets the tenant's limit (nil: the default).
    func setLimit(_ limit: Int?, for tenant: Tenant) throws {
        try ensureTenant(tenant)
        try db.cachedStatement(sql: """
            UPDATE queue_tenants SET max_concurrency = ?1,
                runnable = (head_seq IS NOT NULL AND running < COALESCE(?1, ?2))
            WHERE app_id = ?3 AND sub_app_id = ?4
            """).execute(arguments: [limit, defaultConcurrency, tenant.appId, tenant.subAppId])
    }

    /// Counts a task entering (`delta` 1) or leaving (−1) the waiting state.
    func countWaiting(priority: Int, seq: Int64, delta: Int) throws {
        try db.cachedStatement(sql: """
            INSERT INTO queue_totals (priority, waiting) VALUES (?1, ?2)
            ON CONFLICT (priority) DO UPDATE SET waiting = waiting + ?2
            """).execute(arguments: [priority, delta])
        try db.cachedStatement(sql: """
            INSERT INTO queue_counts (priority, bucket, waiting) VALUES (?1, ?2, ?3)
            ON CONFLICT (priority, bucket) DO UPDATE SET waiting = waiting + ?3
            """).execute(arguments: [priority, seq >> Self.bucketShift, delta])
    }

    /// Waiting tasks that run before a task newly queued at `priority`: all those of its priority and above.
    func positionOfNewTask(priority: Int) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(SUM(waiting), 0) FROM queue_totals WHERE priority >= ?"),
                         arguments: [priority]) ?? 0
    }

    /// Waiting tasks that run before the waiting task at (`priority`, `seq`): higher priorities, earlier blocks of
    /// its own priority, and the earlier tasks of its own block (at most 1,023 index entries).
    func position(priority: Int, seq: Int64) throws -> Int {
        let bucket = seq >> Self.bucketShift
        let higher = try Int.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(SUM(waiting), 0) FROM queue_totals WHERE priority > ?"),
                                      arguments: [priority]) ?? 0
        let earlierBlocks = try Int.fetchOne(db.cachedStatement(sql: """
            SELECT COALESCE(SUM(waiting), 0) FROM queue_counts WHERE priority = ? AND bucket < ?
            """), arguments: [priority, bucket]) ?? 0
        let sameBlock = try Int.fetchOne(db.cachedStatement(sql: """
            SELECT COUNT(*) FROM tasks WHERE status = 'waiting' AND priority = ? AND seq >= ? AND seq < ?
            """), arguments: [priority, bucket << Self.bucketShift, seq]) ?? 0
        return higher + earlierBlocks + sameBlock
    }

    /// Re-derives every tenant's `runnable` flag (the default limit may have changed since the last start).
    func refreshAllTenants() throws {
        try db.execute(sql: """
            UPDATE queue_tenants SET runnable = (head_seq IS NOT NULL AND running < COALESCE(max_concurrency, ?))
            """, arguments: [defaultConcurrency])
    }

    /// Re-derives all bookkeeping from the tasks themselves (after a migration): running counts, heads and counts.
    /// A full scan, so never on a hot path.
    func rebuild() throws {
        try db.execute(sql: """
            INSERT INTO queue_tenants (app_id, sub_app_id)
                SELECT DISTINCT app_id, sub_app_id FROM tasks WHERE status IN ('waiting', 'processing') AND true
                ON CONFLICT DO NOTHING;
            UPDATE queue_tenants SET running = (SELECT COUNT(*) FROM tasks t WHERE t.status = 'processing'
                AND t.app_id = queue_tenants.app_id AND t.sub_app_id = queue_tenants.sub_app_id);
            DELETE FROM queue_counts;
            DELETE FROM queue_totals;
            INSERT INTO queue_counts (priority, bucket, waiting)
                SELECT priority, seq >> \(Self.bucketShift), COUNT(*) FROM tasks WHERE status = 'waiting'
                GROUP BY priority, seq >> \(Self.bucketShift);
            INSERT INTO queue_totals (priority, waiting)
                SELECT priority, COUNT(*) FROM tasks WHERE status = 'waiting' GROUP BY priority;
            """)
        let tenants = try Row.fetchAll(db, sql: "SELECT app_id, sub_app_id FROM queue_tenants")
        for row in tenants { try recomputeHead(Tenant(appId: row[0], subAppId: row[1])) }
    }
}
