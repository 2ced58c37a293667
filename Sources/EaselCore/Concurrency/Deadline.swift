import Synchronization

/// Runs `body` and answers with its outcome, or with `timeoutError()` once `timeout` has passed, whichever comes
/// first. On a timeout `body` is cancelled but not waited for: it ends in the background. That is the point — work
/// that does not end when cancelled (a postgres-nio query already sent on a connection that stopped answering waits
/// for the socket, not for its task) would hold a structured deadline (a task group, which awaits every child) for
/// as long as the kernel takes to give up on the connection. A cancellation of the caller is passed on to `body`.
public func withDeadline<T: Sendable>(_ timeout: Duration, timeoutError: @escaping @Sendable () -> any Error,
                                      _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = FirstOutcome<T>()
    // Unstructured on purpose (see above); both tasks end: the body when its work does, the timer at the deadline
    // or when the body has answered.
    let work = Task {
        do {
            outcome.resolve(.success(try await body()))
        } catch {
            outcome.resolve(.failure(error))
        }
    }
    let timer = Task {
        try? await Task.sleep(for: timeout)
        if !Task.isCancelled { outcome.resolve(.failure(timeoutError())) }
    }
    defer {
        timer.cancel()
        work.cancel()
    }
    return try await withTaskCancellationHandler {
        try await outcome.value()
    } onCancel: {
        work.cancel()
    }
}

/// The first of several outcomes offered, handed to the one waiter.
private final class FirstOutcome<T: Sendable>: Sendable {
    private struct State {
        var result: Result<T, any Error>?
        var waiter: CheckedContinuation<T, any Error>?
    }

    private let state = Mutex(State())

    /// Offers an outcome; every one after the first is ignored.
    func resolve(_ result: Result<T, any Error>) {
        let waiter: CheckedContinuation<T, any Error>?? = state.withLock { state in
            guard state.result == nil else { return .none }
            state.result = result
            defer { state.waiter = nil }
            return .some(state.waiter)
        }
        if case let .some(.some(waiter)) = waiter { waiter.resume(with: result) }
    }

    /// Waits for the first outcome. Called once.
    func value() async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<T, any Error>? = state.withLock { state in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
