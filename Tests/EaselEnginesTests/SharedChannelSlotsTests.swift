import EaselCore
import Foundation
import Synchronization
import Testing
@testable import EaselEngines
import EaselTestSupport

/// A cluster's slots in memory: `limit` per channel, counted per holder, with the most ever held at once.
final class MemoryChannelSlots: SharedChannelSlots {
    struct State {
        var held: [String: [Int: TaskID]] = [:]
        var mostHeld = 0
        var acquires = 0
        var failuresLeft = 0
    }

    let state = Mutex(State())

    init(failingFirst failures: Int = 0) {
        state.withLock { $0.failuresLeft = failures }
    }

    func acquire(channel: String, limit: Int, taskId: TaskID, leaseToken: String) async throws -> Int? {
        try state.withLock { state in
            state.acquires += 1
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw CocoaError(.fileReadUnknown)
            }
            var slots = state.held[channel, default: [:]]
            guard let free = (0..<limit).first(where: { slots[$0] == nil }) else { return nil }
            slots[free] = "\(taskId)#\(leaseToken)"
            state.held[channel] = slots
            state.mostHeld = max(state.mostHeld, slots.count)
            return free
        }
    }

    func release(channel: String, slot: Int, taskId: TaskID, leaseToken: String) async {
        state.withLock { state in
            if state.held[channel]?[slot] == "\(taskId)#\(leaseToken)" { state.held[channel]?[slot] = nil }
        }
    }

    var heldNow: Int { state.withLock { $0.held.values.map(\.count).reduce(0, +) } }
}

/// An engine that counts how many calls run at once; each call waits for `gate` (when given) before it answers.
final class ConcurrencyCountingEngine: ImageEngine {
    let name = "counting"
    let isSandbox = false
    let fails: Bool
    let gate: TestGate?
    private let counts = Mutex((now: 0, most: 0, calls: 0))

    init(fails: Bool = false, gate: TestGate? = nil) {
        self.fails = fails
        self.gate = gate
    }

    var most: Int { counts.withLock { $0.most } }
    var calls: Int { counts.withLock { $0.calls } }
    var now: Int { counts.withLock { $0.now } }

    func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        counts.withLock { $0.now += 1; $0.most = max($0.most, $0.now); $0.calls += 1 }
        await gate?.wait()
        counts.withLock { $0.now -= 1 }
        if fails { throw EngineError(code: "InvalidParameterValue", message: "bad", isRetryable: false) }
        let image = SandboxRenderer().render(prompt: "x", seed: 1, index: 0, width: 8, height: 8, format: .png)
        return [GeneratedImage(bytes: image.bytes, info: image.info)]
    }
}

/// A channel's `max_concurrency` across nodes: each node's own limiter admits up to the cap, the shared slots keep
/// the cluster at it; waiting for a slot is not an attempt, and every slot is given back however a call ends.
@Suite(.timeLimit(.minutes(1))) struct SharedChannelSlotsTests {
    let channel = UpstreamChannel(name: "shared", kind: .sandbox, baseURL: "http://x",
                                  models: [ModelRoute(name: "GG", version: "2.5")], maxConcurrency: 3, maxAttempts: 1)

    func job(_ index: Int, leased: Bool = true) -> EngineJob {
        var job = EngineJob(taskId: "t\(index)", request: ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "p"),
                            outputSize: PixelSize(width: 8, height: 8), imageCount: 1)
        if leased { job.leaseToken = "lease-\(index)" }
        return job
    }

    /// `nodes` engines, each with its own route (so its own limiter) on one channel and one engine.
    func nodes(_ count: Int, engine: ConcurrencyCountingEngine, slots: MemoryChannelSlots) -> [RoutedEngine] {
        (0..<count).map { _ in RoutedEngine(routes: [RoutedEngine.Route(channel: channel, engine: engine, slots: slots)]) }
    }

    /// Waits (at most 20 s) until `condition` holds.
    func eventually(_ condition: () -> Bool) async {
        let deadline = ContinuousClock.now + .seconds(20)
        while !condition(), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
    }

    @Test func threeNodesTogetherNeverExceedTheChannelsCap() async throws {
        let gate = TestGate()
        let engine = ConcurrencyCountingEngine(gate: gate)
        let slots = MemoryChannelSlots()
        let cluster = nodes(3, engine: engine, slots: slots)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<45 {
                group.addTask { _ = try await cluster[index % 3].generate(job(index)) { _ in } }
            }
            // The calls are held until the cap is reached: the first three are in, the others wait for a slot.
            await eventually { engine.now == 3 }
            #expect(engine.now == 3)
            gate.open()
            try await group.waitForAll()
        }
        #expect(engine.calls == 45, "every job ran once: waiting for a slot is not an attempt")
        #expect(engine.most <= 3, "at most max_concurrency calls at once across the three nodes")
        #expect(slots.state.withLock { $0.mostHeld } == 3)
        #expect(slots.heldNow == 0, "every slot was given back")
    }

    @Test func withoutSharedSlotsEachNodeAdmitsItsOwnCap() async throws {
        let gate = TestGate()
        let engine = ConcurrencyCountingEngine(gate: gate)
        let cluster = (0..<3).map { _ in RoutedEngine(routes: [RoutedEngine.Route(channel: channel, engine: engine)]) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<45 {
                group.addTask { _ = try await cluster[index % 3].generate(job(index)) { _ in } }
            }
            await eventually { engine.now == 9 }
            gate.open()
            try await group.waitForAll()
        }
        #expect(engine.most == 9, "the contrast: per-node limiters alone let the cluster run three times the cap")
    }

    @Test func aFailedCallGivesItsSlotBack() async throws {
        let engine = ConcurrencyCountingEngine(fails: true)
        let slots = MemoryChannelSlots()
        let routed = nodes(1, engine: engine, slots: slots)[0]
        for index in 0..<5 {
            await #expect(throws: EngineError.self) { _ = try await routed.generate(job(index)) { _ in } }
        }
        #expect(slots.heldNow == 0)
        #expect(engine.calls == 5)
    }

    @Test func anUnreachableStoreMeansWaitingNotFailing() async throws {
        let engine = ConcurrencyCountingEngine()
        let slots = MemoryChannelSlots(failingFirst: 3)
        let images = try await nodes(1, engine: engine, slots: slots)[0].generate(job(1)) { _ in }
        #expect(images.count == 1)
        #expect(slots.state.withLock { $0.acquires } == 4, "three failed acquisitions were waited out, the fourth ran")
        #expect(engine.calls == 1)
    }

    @Test func aJobWithoutALeaseTakesNoSharedSlot() async throws {
        let engine = ConcurrencyCountingEngine()
        let slots = MemoryChannelSlots()
        _ = try await nodes(1, engine: engine, slots: slots)[0].generate(job(1, leased: false)) { _ in }
        #expect(slots.state.withLock { $0.acquires } == 0)
    }
}
