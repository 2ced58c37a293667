import AsyncHTTPClient
import EaselCore
import EaselTestSupport
import Foundation
import Testing
@testable import EaselEngines

/// The steps every engine test repeats: a live HTTP client that is always shut down, a job run to its end (or
/// cancelled once its upstream task exists) with what it reported, and the error a failing job threw.
enum EngineHarness {
    /// Runs `body` with the live transport on a client of its own, shut down afterwards whatever happens.
    static func withLiveHTTP<T>(_ body: (UpstreamHTTP) async throws -> T) async throws -> T {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await body(.live(client)))
        } catch {
            outcome = .failure(error)
        }
        try await client.shutdown()
        return try outcome.get()
    }

    /// Runs `job` on `engine` and returns what came of it: the job's checkpoints are recorded with `polls()` (the
    /// polls the fake has seen), and `seen()` reads the fake afterwards. With `cancelAfter`, the job is cancelled
    /// that long after its first checkpoint (waiting up to 30 s for it, however slow the machine is).
    static func run<Seen: Sendable>(_ engine: some ImageEngine, _ job: EngineJob, cancelAfter: Duration? = nil,
                                    polls: @escaping @Sendable () async -> Int,
                                    seen: () async -> Seen) async throws -> EngineRun<Seen> {
        let log = EngineJobLog()
        var job = job
        job.checkpoint = { id in log.checkpoint(id, polls: await polls()) }
        var result = EngineRun(seen: ())
        if let cancelAfter {
            let task = Task { [job] in try await engine.generate(job) { log.report($0) } }
            let deadline = ContinuousClock.now + .seconds(30)
            while log.checkpoints.withLock({ $0.isEmpty }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            try await Task.sleep(for: cancelAfter)
            task.cancel()
            result = await outcome(of: { try await task.value })
        } else {
            result = await outcome(of: { try await engine.generate(job) { log.report($0) } })
        }
        return EngineRun(images: result.images, error: result.error, otherError: result.otherError,
                         progress: log.progress.withLock { $0 }, checkpoints: log.checkpoints.withLock { $0.map(\.id) },
                         pollsAtCheckpoint: log.checkpoints.withLock { $0.map(\.pollsBefore) }, seen: await seen())
    }

    /// Runs `body` with the engine `make` builds for a channel to `fake` (given its base URL) on the live
    /// transport, while the fake serves.
    static func withEngine<Fake: ServingFake, Engine>(on fake: Fake, _ make: (String, UpstreamHTTP) throws -> Engine,
                                                      _ body: (Engine) async throws -> Void) async throws {
        try await withLiveHTTP { http in
            try await fake.run { baseURL in try await body(try make(baseURL, http)) }
        }
    }

    /// The `EngineError` `body` throws, or nil when it throws nothing or another error.
    static func engineError(_ body: () async throws -> Void) async -> EngineError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? EngineError
        }
    }

    /// The `EngineError` `operation` throws, recording an issue when it throws something else or nothing.
    static func failure(_ operation: () async throws -> [GeneratedImage],
                        sourceLocation: SourceLocation = #_sourceLocation) async -> EngineError? {
        do {
            let images = try await operation()
            Issue.record("expected a failure, got \(images.count) images", sourceLocation: sourceLocation)
        } catch let error as EngineError {
            return error
        } catch {
            Issue.record("expected an EngineError, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    /// Checks the two ways a job on a stalled upstream task ends: on `quick` (a short deadline) it fails with a
    /// retryable `TaskTimeout`; on `engine`, cancelled once the fake has seen `more` further `events()`, it throws
    /// `CancellationError`.
    static func expectTimeoutAndCancellation(quick: some ImageEngine, engine: some ImageEngine, job: EngineJob,
                                             events: () async -> Int, more: Int,
                                             sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let error = await failure({ try await quick.generate(job) { _ in } }, sourceLocation: sourceLocation)
        #expect(error?.code == "TaskTimeout" && error?.isRetryable == true, sourceLocation: sourceLocation)
        let running = Task { try await engine.generate(job) { _ in } }
        let before = await events()
        try await waitUntil("\(more) more fake events") { await events() >= before + more }
        running.cancel()
        await #expect(throws: CancellationError.self, sourceLocation: sourceLocation) { _ = try await running.value }
    }

    /// The images `operation` returned, or the error it threw.
    private static func outcome(of operation: () async throws -> [GeneratedImage]) async -> EngineRun<Void> {
        var result = EngineRun(seen: ())
        do { result.images = try await operation() } catch let error as EngineError { result.error = error } catch {
            result.otherError = "\(type(of: error))"
        }
        return result
    }
}

/// An expected wire body, written as the JSON it must be.
func json(_ text: String) -> JSONValue { (try? JSONValue.parse(Array(text.utf8))) ?? .string("unparsable: \(text)") }
