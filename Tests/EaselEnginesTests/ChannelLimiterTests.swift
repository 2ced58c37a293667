import Testing
@testable import EaselEngines
import EaselTestSupport

/// A channel's concurrency cap under cancellation: a cancelled waiter leaves the queue and its slot is never lost.
@Suite(.timeLimit(.minutes(1))) struct ChannelLimiterTests {
    /// Polls `condition` until it holds or `seconds` pass.
    func eventually(within seconds: Int = 10, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    @Test func cancelledWaiterLeavesTheQueueAndDoesNotKeepTheSlot() async throws {
        let limiter = ChannelLimiter(limit: 1)
        let gate = TestGate()
        let holder = Task { try await limiter.run { await gate.wait() } }
        #expect(try await eventually { limiter.inFlight == 1 })

        let waiter = Task { try await limiter.run { "ran" } }
        #expect(try await eventually { limiter.waiting == 1 })
        waiter.cancel()
        // It throws at once, while the holder still has the slot: it does not wait for a slot it will not use.
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(limiter.waiting == 0 && limiter.inFlight == 1)

        gate.open()
        try await holder.value
        #expect(try await eventually { limiter.inFlight == 0 })
        // The slot is free for the next job.
        let next = try await limiter.run { "next" }
        #expect(next == "next" && limiter.inFlight == 0)
    }

    @Test func alreadyCancelledTaskGivesItsSlotBackWithoutRunning() async throws {
        let limiter = ChannelLimiter(limit: 1)
        let ran = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await limiter.run { true }
        }
        await #expect(throws: CancellationError.self) { _ = try await ran.value }
        #expect(limiter.inFlight == 0 && limiter.waiting == 0)
    }

    @Test func manyCancelledWaitersNeverStrandSlots() async throws {
        let limiter = ChannelLimiter(limit: 2)
        let gate = TestGate()
        let holders = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 { group.addTask { try await limiter.run { await gate.wait() } } }
                try await group.waitForAll()
            }
        }
        #expect(try await eventually { limiter.inFlight == 2 })
        let waiters = (0..<20).map { _ in Task { try await limiter.run { () } } }
        #expect(try await eventually { limiter.waiting == 20 })
        for (index, waiter) in waiters.enumerated() where index % 2 == 0 { waiter.cancel() }
        gate.open()
        try await holders.value
        var finished = 0
        var cancelled = 0
        for waiter in waiters {
            do {
                try await waiter.value
                finished += 1
            } catch is CancellationError {
                cancelled += 1
            }
        }
        #expect(finished == 10 && cancelled == 10)
        #expect(limiter.inFlight == 0 && limiter.waiting == 0)
    }
}
