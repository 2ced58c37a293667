import EaselCore
import Foundation
import Synchronization
import Testing
@testable import EaselEngines

/// A scripted engine: fails with the queued errors, then succeeds; records what it was asked.
final class ScriptedEngine: ImageEngine {
    let name: String
    let isSandbox = false
    let failures: Mutex<[EngineError]>
    let calls = Mutex<[String?]>([])
    let submitId: String?

    init(name: String, failures: [EngineError] = [], submitId: String? = nil) {
        self.name = name
        self.failures = Mutex(failures)
        self.submitId = submitId
    }

    func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        calls.withLock { $0.append(job.resumeToken) }
        if job.resumeToken == nil, let submitId { await job.checkpoint(submitId) }
        if let failure = failures.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { throw failure }
        let image = SandboxRenderer().render(prompt: name, seed: 1, index: 0, width: 8, height: 8, format: .png)
        return [GeneratedImage(bytes: image.bytes, info: image.info)]
    }
}

/// A shareable recorder (Mutex itself cannot be passed around).
final class Recorder<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ initial: Value) { value = Mutex(initial) }
    var snapshot: Value { value.withLock { $0 } }
}

@Suite struct RoutedEngineTests {
    let retryable = EngineError(code: "InternalError", message: "HTTP 503", isRetryable: true)
    let fatal = EngineError(code: "InvalidParameterValue", message: "bad", isRetryable: false)

    func route(_ engine: ScriptedEngine, attempts: Int = 2) -> RoutedEngine.Route {
        .init(channel: UpstreamChannel(name: engine.name, kind: .sandbox, baseURL: "http://x",
                                       models: [ModelRoute(name: "GG", version: "2.5")], maxAttempts: attempts),
              engine: engine)
    }

    func job(resume: String? = nil, checkpoints: Recorder<[String]>? = nil) -> EngineJob {
        EngineJob(taskId: "t", request: ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "p"),
                  outputSize: PixelSize(width: 8, height: 8), imageCount: 1, resumeToken: resume) { token in
            checkpoints?.value.withLock { $0.append(token) }
        }
    }

    func engine(_ routes: [RoutedEngine.Route], slept: Recorder<[Duration]> = Recorder([])) -> RoutedEngine {
        RoutedEngine(routes: routes, sleep: { duration in slept.value.withLock { $0.append(duration) } })
    }

    @Test func retriesRetryableFailuresThenSucceeds() async throws {
        let primary = ScriptedEngine(name: "a", failures: [retryable])
        let images = try await engine([route(primary)]).generate(job()) { _ in }
        #expect(images.count == 1 && primary.calls.withLock { $0.count } == 2)
    }

    @Test func failsOverToTheNextChannel() async throws {
        let primary = ScriptedEngine(name: "a", failures: [retryable, retryable])
        let backup = ScriptedEngine(name: "b")
        _ = try await engine([route(primary), route(backup)]).generate(job()) { _ in }
        #expect(primary.calls.withLock { $0.count } == 2 && backup.calls.withLock { $0.count } == 1)
    }

    @Test func nonRetryableFailuresStopAtOnce() async throws {
        let primary = ScriptedEngine(name: "a", failures: [fatal])
        let backup = ScriptedEngine(name: "b")
        await #expect(throws: EngineError.self) { try await engine([route(primary), route(backup)]).generate(job()) { _ in } }
        #expect(backup.calls.withLock { $0.isEmpty })
    }

    @Test func honoursRetryAfter() async throws {
        var limited = retryable
        limited.retryAfter = .seconds(7)
        let slept = Recorder<[Duration]>([])
        _ = try await engine([route(ScriptedEngine(name: "a", failures: [limited]))], slept: slept).generate(job()) { _ in }
        #expect(slept.snapshot == [.seconds(7)])
    }

    @Test func retryAfterASubmitPollsInsteadOfSubmittingAgain() async throws {
        let primary = ScriptedEngine(name: "a", failures: [retryable], submitId: "up-1")
        let checkpoints = Recorder<[String]>([])
        _ = try await engine([route(primary)]).generate(job(checkpoints: checkpoints)) { _ in }
        #expect(primary.calls.withLock { $0 } == [nil, "up-1"])
        #expect(checkpoints.snapshot == ["a|up-1"])
    }

    @Test func resumeGoesBackToTheChannelThatOwnsTheUpstreamTask() async throws {
        let first = ScriptedEngine(name: "a")
        let owner = ScriptedEngine(name: "b")
        _ = try await engine([route(first), route(owner)]).generate(job(resume: "b|up-9")) { _ in }
        #expect(first.calls.withLock { $0.isEmpty } && owner.calls.withLock { $0 } == ["up-9"])
    }

    @Test func registryRoutesConfiguredModelsOnly() throws {
        let channel = UpstreamChannel(name: "s", kind: .sandbox, baseURL: "http://local",
                                      models: [ModelRoute(name: "GEM", version: "2.5")])
        let registry = try EngineRegistry.build(channels: [channel], http: UpstreamHTTP { _ in throw CancellationError() },
                                                sandboxLatency: .zero)
        #expect(registry.engine(modelName: "GG", modelVersion: "2.5") != nil)
        #expect(registry.engine(modelName: "Kling", modelVersion: "2.1") == nil)
        #expect(!registry.isSandboxOnly)
        let unknown = #expect(throws: ProviderEngines.ConfigurationError.self) { try ProviderKind(parsing: "nope", upstream: "x") }
        #expect(unknown?.description.hasPrefix("upstream x: unknown provider `nope`; known: sandbox, openai,") == true)
    }
}
