import GRDB
import Synchronization

/// Group commit for task inserts: inserts that arrive while a batch is committing are written together in one write
/// transaction, so a burst of creates costs one hop to the writer queue and one WAL commit instead of one each.
///
/// It is leader/follower, with no task of its own: an insert that finds no batch committing becomes the leader and
/// commits at once (a lone insert waits for nothing), together with whatever inserts are waiting, up to `batchLimit`.
/// Inserts arriving meanwhile wait; when the batch committed, the leader hands the turn to the oldest waiter, which
/// commits the next batch. Each insert runs in its own savepoint, so its failure (a duplicate, a constraint) rolls
/// back only itself; a failure of the transaction (I/O, disk full) fails every insert of the batch. Every insert is
/// answered only after its batch committed.
///
/// Cancellation: an insert cancelled while it still waits for a batch leaves at once and fails; once it is in a batch
/// the batch commits regardless (a leader's cancellation must not fail the others), so a cancelled caller's insert
/// may be durable and visible although the caller saw no answer.
final class SQLiteInsertBatcher: Sendable {
    /// One insert's work inside the batch's transaction; it returns the task's queue position.
    typealias Insert = @Sendable (Database) throws -> Int

    private enum Turn: Sendable {
        /// The waiter commits the next batch.
        case lead
        /// The waiter's insert was committed (or failed) in someone else's batch.
        case answered(Result<Int, StoreError>)
    }

    private struct Waiter {
        let id: UInt64
        let insert: Insert
        let continuation: CheckedContinuation<Turn, Never>
    }

    private struct State {
        /// A leader is committing a batch, or was handed the turn: new inserts wait. While `waiters` is not empty
        /// this is always true, so a waiter is always answered by some batch.
        var committing = false
        var nextID: UInt64 = 0
        var waiters: [Waiter] = []
    }

    /// The most inserts one transaction takes.
    let batchLimit: Int
    private let pool: DatabasePool
    private let state = Mutex(State())

    init(pool: DatabasePool, batchLimit: Int = 128) {
        self.pool = pool
        self.batchLimit = max(batchLimit, 1)
    }

    /// Inserts waiting for a batch now (for tests and diagnostics).
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Runs `insert` in a batch and returns its result once the batch committed.
    func insert(_ insert: @escaping Insert) async throws(StoreError) -> Int {
        if Task.isCancelled { throw Self.cancelled }
        let waiterID: UInt64? = state.withLock { state in
            if !state.committing {
                state.committing = true
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        if let waiterID, case .answered(let result) = await wait(id: waiterID, insert: insert) {
            return try result.get()
        }
        return try await lead(with: insert).get()
    }

    /// Waits until a batch answered `insert` or the turn to lead came to it.
    private func wait(id: UInt64, insert: @escaping Insert) async -> Turn {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
                let now: Turn? = state.withLock { state in
                    // Checked under the lock: either the cancel handler runs after the append and finds the waiter,
                    // or cancellation came first and is seen here.
                    if Task.isCancelled { return .answered(.failure(Self.cancelled)) }
                    // The batch that was committing finished in between and nobody leads: this insert does.
                    if !state.committing {
                        state.committing = true
                        return .lead
                    }
                    state.waiters.append(Waiter(id: id, insert: insert, continuation: continuation))
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(returning: .answered(.failure(Self.cancelled)))
        }
    }

    /// Commits `own` with the waiting inserts, answers them, and hands the turn on.
    private func lead(with own: @escaping Insert) async -> Result<Int, StoreError> {
        let followers: [Waiter] = state.withLock { state in
            let count = min(state.waiters.count, batchLimit - 1)
            defer { state.waiters.removeFirst(count) }
            return Array(state.waiters.prefix(count))
        }
        let results = await commit([own] + followers.map(\.insert))
        let next: Waiter? = state.withLock { state in
            if state.waiters.isEmpty {
                state.committing = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume(returning: .lead)
        for (waiter, result) in zip(followers, results.dropFirst()) {
            waiter.continuation.resume(returning: .answered(result))
        }
        return results[0]
    }

    /// Runs `inserts` in one write transaction, each in its own savepoint, and returns their results in order.
    private func commit(_ inserts: [Insert]) async -> [Result<Int, StoreError>] {
        // `asyncWrite` ignores the leader's cancellation: the batch carries other callers' inserts.
        let outcome: Result<[Result<Int, StoreError>], any Error> = await withCheckedContinuation { continuation in
            pool.asyncWrite({ db in
                // Alone in its transaction an insert needs no savepoint: its failure fails only itself anyway.
                if inserts.count == 1 { return [.success(try inserts[0](db))] }
                return try inserts.map { insert in try Self.isolated(insert, in: db) }
            }, completion: { _, result in continuation.resume(returning: result) })
        }
        switch outcome {
        case .success(let results):
            return results
        case .failure(let error):
            let failure = Self.storeError(error)
            return inserts.map { _ in .failure(failure) }
        }
    }

    /// Runs one insert in a savepoint. Its own failure is its result; a failure that may have ended the transaction
    /// (or any failure once it ended) is thrown, failing the batch.
    private static func isolated(_ insert: Insert, in db: Database) throws -> Result<Int, StoreError> {
        var position = 0
        do {
            try db.inSavepoint {
                position = try insert(db)
                return .commit
            }
            return .success(position)
        } catch let error where db.isInsideTransaction && isOwnFailure(error) {
            return .failure(storeError(error))
        }
    }

    /// Errors that concern one insert only and leave the transaction usable.
    private static func isOwnFailure(_ error: any Error) -> Bool {
        if error is StoreError { return true }
        guard let error = error as? DatabaseError else { return false }
        let ownCodes: [ResultCode] = [.SQLITE_CONSTRAINT, .SQLITE_TOOBIG, .SQLITE_MISMATCH]
        return ownCodes.contains(error.resultCode)
    }

    /// The error a caller sees, as `SQLiteStore.write` maps it.
    private static func storeError(_ error: any Error) -> StoreError {
        error as? StoreError ?? .unavailable(String(reflecting: error))
    }

    private static var cancelled: StoreError { .unavailable(String(reflecting: CancellationError())) }
}
