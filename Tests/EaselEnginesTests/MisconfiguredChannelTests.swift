import EaselCore
import Synchronization
import Testing
@testable import EaselEngines

/// A channel that lacks what its provider signs with still makes an engine (the server starts), and each of its
/// tasks fails at once with a non-retryable `InternalError` that names the channel, without a request upstream.
@Suite struct MisconfiguredChannelTests {
    /// A channel missing what `kind` needs, and the engine made on it.
    static let cases: [(what: String, make: @Sendable (UpstreamHTTP) throws -> any ImageEngine)] = [
        ("Hunyuan without a SecretId", { try HunyuanImageEngine(channel: channel(.hunyuan), http: $0) }),
        ("VOD API mode without sub_app_id", { try VODPassthroughEngine(channel: channel(.vod, secretId: "AKID"), http: $0) }),
        ("VOD REST mode without an API key", {
            try VODPassthroughEngine(channel: channel(.vod, options: ["mode": "rest"]), http: $0)
        }),
        ("Jimeng without an access key", { try JimengImageEngine(channel: channel(.jimeng), http: $0) }),
    ]

    static func channel(_ kind: ProviderKind, secretId: String? = nil, options: [String: String] = [:]) -> UpstreamChannel {
        UpstreamChannel(name: "bare", kind: kind, baseURL: "http://127.0.0.1:1", accessKey: secretId,
                        secretKey: secretId.map { _ in "secret" }, models: [], options: options)
    }

    @Test(arguments: cases.indices)
    func tasksFailWithoutCallingTheUpstream(index: Int) async throws {
        let sent = SentRequests()
        let http = UpstreamHTTP { _ in
            sent.count.withLock { $0 += 1 }
            throw UpstreamFailure.unavailable()
        }
        let engine = try Self.cases[index].make(http)
        let request = ImageRequest(modelName: "Hunyuan", modelVersion: "3.0", prompt: "a lighthouse")
        let job = EngineJob(taskId: "task-1", request: request, outputSize: PixelSize(width: 1024, height: 1024), imageCount: 1)
        let error = await EngineHarness.engineError { _ = try await engine.generate(job) { _ in } }
        let failure = try #require(error, "\(Self.cases[index].what): no EngineError")
        #expect(failure.code == "InternalError", "\(Self.cases[index].what)")
        #expect(!failure.isRetryable, "\(Self.cases[index].what)")
        #expect(sent.count.withLock { $0 } == 0, "\(Self.cases[index].what): a request went upstream")
    }
}

/// How many requests a transport was asked to send.
private final class SentRequests: Sendable {
    let count = Mutex(0)
}
