import EaselCore
import Foundation
import PostgresNIO

/// Inserting waiting tasks into their tenants' locked queues, one at a time or a whole group-commit batch together.
/// Either way an insert is answered with its queue position in one serial order (the order of `seq`): the waiting
/// tasks of its priority and above, those stored plus the batch's earlier inserts. The shared counters are left to
/// the returned `BatchEffects`, written at the batch's end.
extension PostgresQueueState {
    /// Inserts one write, given what the batch's earlier inserts changed, in one or two statements: its session
    /// claim, then its row, the tenant's head if the task is better than it, whether the tenant can run a task now
    /// and the stored count ahead of it.
    /// Refuses with `StoreError.duplicateSession` only before it wrote anything.
    func insertWaiting(_ write: BatchedInsert, earlier: BatchEffects) async throws -> (InsertedTask, BatchEffects) {
        let task = write.task
        let tenant = task.tenant
        if let key = write.dedupKey {
            // Atomic under concurrent duplicates: the primary key makes a second insert wait for the first's
            // commit, and an entry still inside the window is left alone, which returns no row.
            let claimed = try await tx.run("""
                INSERT INTO sessions (app_id, sub_app_id, session_id, task_id, created_at)
                VALUES (\(tenant.appId), \(tenant.subAppId), \(key), \(task.id), \(task.createdAt.timeIntervalSince1970))
                ON CONFLICT (app_id, sub_app_id, session_id) DO UPDATE
                    SET task_id = EXCLUDED.task_id, created_at = EXCLUDED.created_at
                    WHERE sessions.created_at < \(write.dedupSince.timeIntervalSince1970)
                RETURNING 1
                """)
            if claimed == 0 { throw StoreError.duplicateSession }
        }
        guard let row = try await tx.row("""
            WITH inserted AS (
                INSERT INTO tasks (id, app_id, sub_app_id, status, priority, created_at, record, dialect, progress, attempts,
                                   model, key_id, session_id)
                VALUES (\(task.id), \(tenant.appId), \(tenant.subAppId), 'waiting', \(task.priority),
                        \(task.createdAt.timeIntervalSince1970), \(write.record), \(task.dialect.rawValue), 0, 0,
                        \(task.model), \(task.keyId)::text, \(task.sessionId)::text)
                RETURNING seq
            ), head AS (
                UPDATE queue_tenants SET head_priority = \(task.priority), head_seq = (SELECT seq FROM inserted),
                    runnable = (running < COALESCE(max_concurrency, \(defaultConcurrency)))
                WHERE app_id = \(tenant.appId) AND sub_app_id = \(tenant.subAppId)
                  AND (head_seq IS NULL OR head_priority < \(task.priority)
                       OR (head_priority = \(task.priority) AND head_seq > (SELECT seq FROM inserted)))
                RETURNING runnable
            )
            SELECT (SELECT seq FROM inserted),
                   COALESCE((SELECT runnable FROM head),
                            (SELECT runnable FROM queue_tenants WHERE app_id = \(tenant.appId) AND sub_app_id = \(tenant.subAppId))),
                   (SELECT COALESCE(SUM(waiting), 0) FROM queue_totals WHERE priority >= \(task.priority))::bigint
            """) else { throw StoreError.unavailable("insert returned no row") }
        let (seq, isRunnable, ahead) = try row.decode((Int64, Bool, Int64).self)
        var effects = BatchEffects()
        effects.counts.add(priority: task.priority, seq: seq, delta: 1)
        effects.usage.add(.created(task))
        // Only a tenant that can run a task now is worth waking other nodes for; one at its limit is not.
        effects.wakesDispatchers = isRunnable
        // The stored counts do not hold this batch's earlier inserts yet (they are written at its end).
        let position = Int(ahead) + earlier.counts.waiting(atOrAbove: task.priority)
        return (InsertedTask(queuePosition: position, isRunnable: isRunnable), effects)
    }

    /// Inserts a batch's writes together, in at most four statements whatever their number: the session claims,
    /// the rows, a read of the stored counts, and the heads of the tenants whose best waiting task is now a new
    /// one. Each write is answered with its position and whether it can run now, or `StoreError.duplicateSession`;
    /// any other failure (an integrity violation) fails the statement, and the caller runs the batch again one
    /// insert at a time.
    func insertTogether(_ writes: [BatchedInsert]) async throws -> ([Result<InsertedTask, StoreError>], BatchEffects) {
        let admitted = try await claimSessions(writes)
        let inserting = writes.indices.filter { admitted[$0] }
        let seqs = try await insertRows(inserting.map { writes[$0] })
        var stored = WaitingCounts()
        for row in try await tx.rows("SELECT priority, waiting FROM queue_totals WHERE waiting <> 0") {
            let (priority, waiting) = try row.decode((Int, Int).self)
            stored.add(priority: priority, seq: 0, delta: waiting)
        }
        var positions: [Int: Int] = [:]
        var effects = BatchEffects()
        var heads: [Tenant: (priority: Int, seq: Int64)] = [:]
        for (index, seq) in zip(inserting, seqs).sorted(by: { $0.1 < $1.1 }) {
            let task = writes[index].task
            positions[index] = stored.waiting(atOrAbove: task.priority) + effects.counts.waiting(atOrAbove: task.priority)
            effects.counts.add(priority: task.priority, seq: seq, delta: 1)
            effects.usage.add(.created(task))
            // In `seq` order, a later task is the tenant's best only at a strictly higher priority.
            if let head = heads[task.tenant], head.priority >= task.priority { continue }
            heads[task.tenant] = (task.priority, seq)
        }
        let runnable = try await offerHeads(heads)
        effects.wakesDispatchers = !runnable.isEmpty
        let results = writes.indices.map { index -> Result<InsertedTask, StoreError> in
            guard let position = positions[index] else { return .failure(.duplicateSession) }
            return .success(InsertedTask(queuePosition: position, isRunnable: runnable.contains(writes[index].tenant)))
        }
        return (results, effects)
    }

    /// Claims the sessions of `writes` in one statement and tells, per write, whether it may be inserted: it claims
    /// no session, or it is its session's first claimant in the batch and the session was free (unclaimed, or
    /// claimed before the write's `dedupSince`). A later claimant of a session in the same batch is a duplicate.
    private func claimSessions(_ writes: [BatchedInsert]) async throws -> [Bool] {
        struct Session: Hashable {
            let tenant: Tenant
            let key: String
        }
        var admitted = writes.map { $0.dedupKey == nil }
        var claimants: [Int] = []
        var seen: Set<Session> = []
        for (index, write) in writes.enumerated() {
            if let key = write.dedupKey, seen.insert(Session(tenant: write.tenant, key: key)).inserted { claimants.append(index) }
        }
        guard !claimants.isEmpty else { return admitted }
        let claims = claimants.map { writes[$0] }
        // One row per session: a statement may not change one row twice. Each row's own window decides.
        let won = try await tx.rows("""
            WITH claims AS (
                SELECT * FROM unnest(\(claims.map(\.tenant.appId))::bigint[], \(claims.map(\.tenant.subAppId))::bigint[],
                                     \(claims.map { $0.dedupKey ?? "" })::text[], \(claims.map(\.task.id.rawValue))::text[],
                                     \(claims.map(\.task.createdAt.timeIntervalSince1970))::float8[],
                                     \(claims.map(\.dedupSince.timeIntervalSince1970))::float8[])
                    AS c(app_id, sub_app_id, session_id, task_id, created_at, since)
            )
            INSERT INTO sessions (app_id, sub_app_id, session_id, task_id, created_at)
            SELECT app_id, sub_app_id, session_id, task_id, created_at FROM claims
            ON CONFLICT (app_id, sub_app_id, session_id) DO UPDATE
                SET task_id = EXCLUDED.task_id, created_at = EXCLUDED.created_at
                WHERE sessions.created_at < (SELECT since FROM claims c WHERE c.app_id = EXCLUDED.app_id
                                               AND c.sub_app_id = EXCLUDED.sub_app_id AND c.session_id = EXCLUDED.session_id)
            RETURNING task_id
            """)
        let winners = Set(try won.map { try $0.decode(String.self) })
        for index in claimants where winners.contains(writes[index].task.id.rawValue) { admitted[index] = true }
        return admitted
    }

    /// Inserts the rows of `writes` as waiting tasks in one statement, in the order given; returns their `seq`s.
    private func insertRows(_ writes: [BatchedInsert]) async throws -> [Int64] {
        guard !writes.isEmpty else { return [] }
        let tasks = writes.map(\.task)
        // postgres-nio cannot send a NULL inside an array: optional columns travel as a value and a flag.
        let rows = try await tx.rows("""
            INSERT INTO tasks (id, app_id, sub_app_id, status, priority, created_at, record, dialect, progress, attempts,
                               model, key_id, session_id)
            SELECT id, app_id, sub_app_id, 'waiting', priority, created_at, record, dialect, 0, 0, model,
                   CASE WHEN has_key_id THEN key_id END, CASE WHEN has_session_id THEN session_id END
            FROM unnest(\(tasks.map(\.id.rawValue))::text[], \(tasks.map(\.tenant.appId))::bigint[],
                        \(tasks.map(\.tenant.subAppId))::bigint[], \(tasks.map(\.priority))::bigint[],
                        \(tasks.map(\.createdAt.timeIntervalSince1970))::float8[],
                        \(writes.map { ByteBuffer(bytes: $0.record) })::bytea[], \(tasks.map(\.dialect.rawValue))::text[],
                        \(tasks.map(\.model))::text[], \(tasks.map { $0.keyId ?? "" })::text[],
                        \(tasks.map { $0.keyId != nil })::boolean[], \(tasks.map { $0.sessionId ?? "" })::text[],
                        \(tasks.map { $0.sessionId != nil })::boolean[])
                WITH ORDINALITY AS v(id, app_id, sub_app_id, priority, created_at, record, dialect, model, key_id,
                                     has_key_id, session_id, has_session_id, position)
            ORDER BY position
            RETURNING id, seq
            """)
        var seqs: [String: Int64] = [:]
        for row in rows {
            let (id, seq) = try row.decode((String, Int64).self)
            seqs[id] = seq
        }
        return try tasks.map { task in
            guard let seq = seqs[task.id.rawValue] else { throw StoreError.unavailable("insert returned no row for \(task.id)") }
            return seq
        }
    }

    /// Makes each new task in `heads` its locked tenant's head where it is better than the one there, in one
    /// statement; returns the tenants that can run a task now, a new head or an older one (so a dispatcher has work).
    private func offerHeads(_ heads: [Tenant: (priority: Int, seq: Int64)]) async throws -> Set<Tenant> {
        let offers = heads.sorted { ($0.key.appId, $0.key.subAppId) < ($1.key.appId, $1.key.subAppId) }
        // The outer query reads the rows as they were before the update, so a tenant's flag is the updated one
        // where its head changed and the stored one where it did not.
        let rows = try await tx.rows("""
            WITH v AS (
                SELECT * FROM unnest(\(offers.map(\.key.appId))::bigint[], \(offers.map(\.key.subAppId))::bigint[],
                                     \(offers.map(\.value.priority))::bigint[], \(offers.map(\.value.seq))::bigint[])
                    AS v(app_id, sub_app_id, priority, seq)
            ), offered AS (
                UPDATE queue_tenants q SET head_priority = v.priority, head_seq = v.seq,
                    runnable = (q.running < COALESCE(q.max_concurrency, \(defaultConcurrency)))
                FROM v
                WHERE q.app_id = v.app_id AND q.sub_app_id = v.sub_app_id
                  AND (q.head_seq IS NULL OR q.head_priority < v.priority OR (q.head_priority = v.priority AND q.head_seq > v.seq))
                RETURNING q.app_id, q.sub_app_id, q.runnable
            )
            SELECT q.app_id, q.sub_app_id FROM queue_tenants q
            JOIN v ON q.app_id = v.app_id AND q.sub_app_id = v.sub_app_id
            LEFT JOIN offered o ON o.app_id = q.app_id AND o.sub_app_id = q.sub_app_id
            WHERE COALESCE(o.runnable, q.runnable)
            """)
        return Set(try rows.map { row in
            let (appId, subAppId) = try row.decode((Int64, Int64).self)
            return Tenant(appId: appId, subAppId: subAppId)
        })
    }
}
