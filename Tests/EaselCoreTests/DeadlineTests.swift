import Synchronization
import Testing
@testable import EaselCore

/// `withDeadline` answers by its deadline even when the work does not end on cancellation.
@Suite struct DeadlineTests {
    struct TimedOut: Error {}

    /// A wait that ignores cancellation, as a query on a silent connection does.
    final class Latch: Sendable {
        private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

        func wait() async {
            await withCheckedContinuation { continuation in
                let open = state.withLock { state in
                    if !state.open { state.waiters.append(continuation) }
                    return state.open
                }
                if open { continuation.resume() }
            }
        }

        func open() {
            let waiters = state.withLock { state in
                state.open = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    @Test func answersAtTheDeadlineWhileTheWorkIgnoresCancellation() async throws {
        let latch = Latch()
        let finished = Mutex(false)
        await #expect(throws: TimedOut.self) {
            try await withDeadline(.milliseconds(50), timeoutError: { TimedOut() }) {
                await latch.wait()
                finished.withLock { $0 = true }
            }
        }
        #expect(finished.withLock { $0 } == false)
        latch.open()
    }

    @Test func theWorksOwnAnswerComesBack() async throws {
        let value = try await withDeadline(.seconds(30), timeoutError: { TimedOut() }) { 42 }
        #expect(value == 42)
        await #expect(throws: StoreLikeError.self) {
            try await withDeadline(.seconds(30), timeoutError: { TimedOut() }) { () async throws -> Int in throw StoreLikeError() }
        }
    }

    struct StoreLikeError: Error {}

    @Test func cancellingTheCallerCancelsTheWork() async throws {
        let started = Latch()
        let caller = Task {
            try await withDeadline(.seconds(60), timeoutError: { TimedOut() }) {
                started.open()
                try await Task.sleep(for: .seconds(60))
            }
        }
        await started.wait()
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
    }
}
