import Synchronization

/// Caps how many jobs run on one channel at once; waiters are served in arrival order. A waiter whose task is
/// cancelled leaves the queue at once and throws `CancellationError`, and a slot that reaches a task already
/// cancelled is passed straight on, so cancellation never strands a slot.
final class ChannelLimiter: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var running = 0
        var nextID: UInt64 = 0
        var waiters: [Waiter] = []
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(limit, 1)
    }

    /// Jobs holding a slot now (for tests and diagnostics).
    var inFlight: Int { state.withLock { $0.running } }

    /// Jobs queued for a slot now.
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Runs `body` once a slot is free; throws `CancellationError` if the task is cancelled before it gets one.
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        // The slot may have been handed over just as the task was cancelled: give it back instead of running.
        try Task.checkCancellation()
        return try await body()
    }

    private func acquire() async throws {
        let id: UInt64? = state.withLock { state in
            if state.running < limit {
                state.running += 1
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = state.withLock { state in
                    // Checked under the lock: either the cancel handler runs after the append and finds the waiter,
                    // or cancellation came first and is seen here.
                    if Task.isCancelled { return true }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let removed = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            removed?.continuation.resume(throwing: CancellationError())
        }
    }

    private func release() {
        let next = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                state.running -= 1
                return nil
            }
            // The slot passes straight to the next waiter, so `running` stays the same.
            return state.waiters.removeFirst()
        }
        next?.continuation.resume()
    }
}
