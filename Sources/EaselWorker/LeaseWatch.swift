import Synchronization

/// How one held lease ends: its job returned (or threw), or the store said the lease was lost. Ends once; a waiter
/// that comes after the end is answered at once.
final class LeaseWatch: Sendable {
    private enum State {
        case running(CheckedContinuation<Bool, Never>?)
        case ended(lost: Bool)
    }

    private let state = Mutex(State.running(nil))

    /// Ends the watch; only the first call counts.
    func end(lost: Bool) {
        let waiter: CheckedContinuation<Bool, Never>? = state.withLock { state in
            guard case .running(let waiter) = state else { return nil }
            state = .ended(lost: lost)
            return waiter
        }
        waiter?.resume(returning: lost)
    }

    /// Waits for the end; true when the lease was lost.
    func ended() async -> Bool {
        await withCheckedContinuation { continuation in
            let lost: Bool? = state.withLock { state in
                switch state {
                case .ended(let lost): return lost
                case .running: state = .running(continuation); return nil
                }
            }
            if let lost { continuation.resume(returning: lost) }
        }
    }
}
