import Synchronization

/// Group commit: writes that arrive while a batch is committing are written together in one transaction, so a burst
/// of creates or of finished tasks costs one commit (one WAL flush) instead of one each. The transaction itself is the
/// store's (the `commit` each write is submitted with); this type only forms the batches.
///
/// It is leader/follower, with no task of its own: a write that finds no batch committing becomes the leader and
/// commits at once (a lone write waits for nothing), together with whatever writes are waiting, up to `batchLimit`.
/// Writes arriving meanwhile wait; when the batch committed, the leader hands the turn to the oldest waiter, which
/// commits the next batch. `commit` keeps a write's own failure (a duplicate, a lost lease) its own, rolling back
/// only that write (by savepoints); a failure of the transaction fails every write of the batch. Every write is
/// answered only after its batch committed.
///
/// Cancellation: a cancellable write (an insert) cancelled while it still waits for a batch leaves at once and fails;
/// one submitted `ignoringCancellation` (a finish, whose result must not be lost at shutdown) stays. Once in a batch
/// a write commits regardless (`commit` must not observe the leader's cancellation: the batch carries other callers'
/// writes), so a cancelled caller's insert may be durable and visible although the caller saw no answer.
final class GroupCommit<Work: Sendable, Output: Sendable>: Sendable {
    /// Runs a batch in one transaction and returns each write's result, in order.
    typealias Commit = @Sendable ([Work]) async -> [Result<Output, StoreError>]

    private enum Turn: Sendable {
        /// The waiter commits the next batch.
        case lead
        /// The waiter's write was committed (or failed) in someone else's batch.
        case answered(Result<Output, StoreError>)
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
    private let state = Mutex(State())

    init(batchLimit: Int = 128) {
        self.batchLimit = max(batchLimit, 1)
    }

    /// Writes waiting for a batch now (for tests and diagnostics).
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Runs `work` in a batch and returns its result once the batch committed. Whoever leads a batch commits it
    /// with its own `commit`, so every caller passes the same one.
    func submit(ignoringCancellation: Bool = false, _ work: Work, commit: Commit) async throws(StoreError) -> Output {
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
        return try await lead(with: work, commit: commit).get()
    }

    /// Waits until a batch answered `work` or the turn to lead came to it; leaves at once when cancelled.
    private func wait(id: UInt64, work: Work) async -> Turn {
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

    private func enqueue(id: UInt64, work: Work, cancellable: Bool) async -> Turn {
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
    private func lead(with own: Work, commit: Commit) async -> Result<Output, StoreError> {
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

    static var cancelled: StoreError { .unavailable(String(reflecting: CancellationError())) }
}
