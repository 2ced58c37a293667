import GRDB
import Synchronization

/// Group commit for the hot writes (task inserts and finishes): writes that arrive while a batch is committing are
/// written together in one write transaction, so a burst of creates or of finished tasks costs one hop to the writer
/// queue and one WAL commit instead of one each.
///
/// It is leader/follower, with no task of its own: a write that finds no batch committing becomes the leader and
/// commits at once (a lone write waits for nothing), together with whatever writes are waiting, up to `batchLimit`.
/// Writes arriving meanwhile wait; when the batch committed, the leader hands the turn to the oldest waiter, which
/// commits the next batch. Each write runs in its own savepoint, so its failure (a duplicate, a lost lease) rolls
/// back only itself; a failure of the transaction (I/O, disk full) fails every write of the batch. Every write is
/// answered only after its batch committed.
///
/// Cancellation: a cancellable write (an insert) cancelled while it still waits for a batch leaves at once and fails;
/// one submitted `ignoringCancellation` (a finish, whose result must not be lost at shutdown) stays. Once in a batch
/// a write commits regardless (a leader's cancellation must not fail the others), so a cancelled caller's insert may
/// be durable and visible although the caller saw no answer.
final class SQLiteWriteBatcher: Sendable {
    /// One write's work inside the batch's transaction; it returns a count (an insert's queue position).
    typealias Work = @Sendable (Database) throws -> Int

    private enum Turn: Sendable {
        /// The waiter commits the next batch.
        case lead
        /// The waiter's write was committed (or failed) in someone else's batch.
        case answered(Result<Int, StoreError>)
    }

    private struct Waiter {
        let id: UInt64
        let work: Work
        let continuation: CheckedContinuation<Turn, Never>
    }

    private struct State {
        /// A leader is committing a batch, or was handed the turn: new writes wait. While `waiters` is not empty
        /// this is always true, so a waiter is always answered by some batch.
        var committing = false
        var nextID: UInt64 = 0
        var waiters: [Waiter] = []
    }

    /// The most writes one transaction takes.
    let batchLimit: Int
    private let pool: DatabasePool
    private let state = Mutex(State())

    init(pool: DatabasePool, batchLimit: Int = 128) {
        self.pool = pool
        self.batchLimit = max(batchLimit, 1)
    }

    /// Writes waiting for a batch now (for tests and diagnostics).
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Runs `work` in a batch and returns its result once the batch committed.
    func submit(ignoringCancellation: Bool = false, _ work: @escaping Work) async throws(StoreError) -> Int {
        if !ignoringCancellation, Task.isCancelled { throw Self.cancelled }
        let waiterID: UInt64? = state.withLock { state in
            if !state.committing {
                state.committing = true
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        if let waiterID {
            let turn = ignoringCancellation ? await enqueue(id: waiterID, work: work, cancellable: false)
                                            : await wait(id: waiterID, work: work)
            if case .answered(let result) = turn { return try result.get() }
        }
        return try await lead(with: work).get()
    }

    /// Waits until a batch answered `work` or the turn to lead came to it; leaves at once when cancelled.
    private func wait(id: UInt64, work: @escaping Work) async -> Turn {
        await withTaskCancellationHandler {
            await enqueue(id: id, work: work, cancellable: true)
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(returning: .answered(.failure(Self.cancelled)))
        }
    }

    private func enqueue(id: UInt64, work: @escaping Work, cancellable: Bool) async -> Turn {
        await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let now: Turn? = state.withLock { state in
                // Checked under the lock: either the cancel handler runs after the append and finds the waiter,
                // or cancellation came first and is seen here.
                if cancellable, Task.isCancelled { return .answered(.failure(Self.cancelled)) }
                // The batch that was committing finished in between and nobody leads: this write does.
                if !state.committing {
                    state.committing = true
                    return .lead
                }
                state.waiters.append(Waiter(id: id, work: work, continuation: continuation))
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    /// Commits `own` with the waiting writes, answers them, and hands the turn on.
    private func lead(with own: @escaping Work) async -> Result<Int, StoreError> {
        let followers: [Waiter] = state.withLock { state in
            let count = min(state.waiters.count, batchLimit - 1)
            defer { state.waiters.removeFirst(count) }
            return Array(state.waiters.prefix(count))
        }
        let results = await commit([own] + followers.map(\.work))
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

    /// Runs `writes` in one write transaction, each in its own savepoint, and returns their results in order.
    private func commit(_ writes: [Work]) async -> [Result<Int, StoreError>] {
        // `asyncWrite` ignores the leader's cancellation: the batch carries other callers' writes.
        let outcome: Result<[Result<Int, StoreError>], any Error> = await withCheckedContinuation { continuation in
            pool.asyncWrite({ db in
                // Alone in its transaction a write needs no savepoint: its failure fails only itself anyway.
                if writes.count == 1 { return [.success(try writes[0](db))] }
                return try writes.map { write in try Self.isolated(write, in: db) }
            }, completion: { _, result in continuation.resume(returning: result) })
        }
        switch outcome {
        case .success(let results):
            return results
        case .failure(let error):
            let failure = Self.storeError(error)
            return writes.map { _ in .failure(failure) }
        }
    }

    /// Runs one write in a savepoint. Its own failure is its result; a failure that may have ended the transaction
    /// (or any failure once it ended) is thrown, failing the batch.
    private static func isolated(_ work: Work, in db: Database) throws -> Result<Int, StoreError> {
        var position = 0
        do {
            try db.inSavepoint {
                position = try work(db)
                return .commit
            }
            return .success(position)
        } catch let error where db.isInsideTransaction && isOwnFailure(error) {
            return .failure(storeError(error))
        }
    }

    /// Errors that concern one write only and leave the transaction usable.
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
