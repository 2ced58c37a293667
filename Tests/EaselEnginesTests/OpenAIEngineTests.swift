import AsyncHTTPClient
import EaselCore
import Foundation
import Testing
@testable import EaselEngines

/// Helpers shared by the OpenAI and OpenAI-compatible engine tests.
extension OpenAIEngineTests {
    /// The progress values an engine reported.
    actor ProgressLog {
        var values: [Int] = []
        func add(_ value: Int) { values.append(value) }
    }

    /// Runs `body` against a fresh fake, with a channel pointing at it and the live transport; the client is always
    /// shut down.
    func withFake<T>(_ flavour: FakeOpenAIServer.Flavour, apiKey: String? = "sk-test",
                     reply: FakeOpenAIServer.Reply = .images, options: [String: String] = [:], models: [ModelRoute] = [],
                     timeout: Duration = .seconds(30), _ body: (FakeOpenAIServer, UpstreamChannel, UpstreamHTTP) async throws -> T) async throws -> T {
        try await FakeOpenAIServer.with(flavour, apiKey: apiKey, reply: reply) { server in
            let channel = UpstreamChannel(name: "test", kind: flavour == .openAI ? .openai : .openaiCompatible,
                                          baseURL: server.baseURL, apiKey: apiKey, models: models, options: options,
                                          timeout: timeout)
            return try await EngineHarness.withLiveHTTP { http in try await body(server, channel, http) }
        }
    }

    func job(_ version: String = "image2_high", prompt: String = "a red fox in snow", width: Int = 1024,
             height: Int = 1024, count: Int = 1, inputs: [ResolvedImage] = [],
             _ configure: (inout ImageRequest) -> Void = { _ in }) -> EngineJob {
        var request = ImageRequest(modelName: "OG", modelVersion: version, prompt: prompt)
        configure(&request)
        return EngineJob(taskId: "251007502-AigcImageTask-test", request: request,
                         outputSize: PixelSize(width: width, height: height), imageCount: count, inputs: inputs)
    }

    func reference(_ format: ImageFormat, seed: Int64, referenceType: String? = nil) -> ResolvedImage {
        .rendered("reference", seed: seed, width: 64, height: 48, format: format, referenceType: referenceType,
                  transparentBackground: referenceType == "mask")
    }

    /// The `EngineError` `operation` throws (recording an issue when it throws something else or nothing).
    func failure(_ operation: () async throws -> [GeneratedImage],
                 sourceLocation: SourceLocation = #_sourceLocation) async -> EngineError? {
        await EngineHarness.failure(operation, sourceLocation: sourceLocation)
    }

    /// One error answer and the mapping it must get.
    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var label: String
        var reply: FakeOpenAIServer.Reply
        var code: String
        var isRetryable: Bool
        var retryAfter: Duration? = nil
        var mentions: String? = nil
        var testDescription: String { label }
    }
}

@Suite struct OpenAIEngineTests {
    @Test func openAITextOnlySendsTheDocumentedGenerationsBody() async throws {
        let progress = ProgressLog()
        try await withFake(.openAI) { server, channel, http in
            let images = try await OpenAIImageEngine(channel: channel, http: http).generate(job(count: 2) {
                $0.negativePrompt = "blur"
                $0.outputFormat = "jpeg"
                $0.outputComplianceCheck = false
                $0.additionalParameters = ["background": .string("opaque")]
            }) { await progress.add($0) }
            #expect(images.map(\.info) == Array(repeating: ImageInfo(format: .jpeg, width: 1024, height: 1024), count: 2))
            let requests = await server.requests
            let sent = try #require(requests.first)
            #expect(requests.count == 1)
            #expect(sent.problems.isEmpty, "\(sent.problems)")
            #expect(sent.method == "POST" && sent.path == "/v1/images/generations")
            #expect(sent.authorization == "Bearer sk-test")
            #expect(sent.contentType == "application/json")
            #expect(sent.json == .object([
                "model": .string("gpt-image-2"), "prompt": .string("a red fox in snow\nAvoid: blur"),
                "size": .string("1024x1024"), "quality": .string("high"), "n": .int(2), "output_format": .string("jpeg"),
                "background": .string("opaque"), "moderation": .string("low"),
            ]))
        }
        #expect(await progress.values == [100])
    }

    @Test func openAIDefaultsAndUpstreamModelOverride() async throws {
        let route = ModelRoute(name: "OG", version: "image2_low", upstreamModel: "gpt-image-2-2026-04-21")
        try await withFake(.openAI, models: [route]) { server, channel, http in
            let images = try await OpenAIImageEngine(channel: channel, http: http)
                .generate(job("image2_low", width: 1536)) { _ in }
            #expect(images.map(\.info) == [ImageInfo(format: .png, width: 1536, height: 1024)])
            let sent = try #require(await server.requests.first)
            #expect(sent.problems.isEmpty, "\(sent.problems)")
            #expect(sent.json == .object([
                "model": .string("gpt-image-2-2026-04-21"), "prompt": .string("a red fox in snow"),
                "size": .string("1536x1024"), "quality": .string("low"), "n": .int(1), "output_format": .string("png"),
                "moderation": .string("auto"),
            ]))
        }
    }

    @Test func openAIRoundsSizesToMultiplesOf16() async throws {
        try await withFake(.openAI) { server, channel, http in
            let images = try await OpenAIImageEngine(channel: channel, http: http)
                .generate(job("image2_medium", width: 728, height: 1024)) { _ in }
            #expect(images.map(\.info) == [ImageInfo(format: .png, width: 736, height: 1024)])
            let sent = try #require(await server.requests.first)
            #expect(sent.problems.isEmpty, "\(sent.problems)")
            #expect(sent.field("size") == .string("736x1024"))
            #expect(sent.field("quality") == .string("medium"))
        }
    }

    @Test(arguments: [(1024, 1024), (1536, 1024), (1024, 1536), (3840, 2160), (2880, 2880), (1360, 768), (728, 1024),
                      (512, 512), (1, 10_000), (10_000, 1), (4096, 4096), (5000, 1000), (1000, 200), (3000, 1001)])
    func gptImageSizesSatisfyTheDocumentedLimits(width: Int, height: Int) {
        let size = OpenAIImageEngine.gptImageSize(PixelSize(width: width, height: height))
        #expect(FakeOpenAIServer.Verifier.gptImageProblem(size) == nil, "\(width)x\(height) → \(size)")
        if FakeOpenAIServer.Verifier.gptImageProblem(PixelSize(width: width, height: height)) == nil {
            #expect(size == PixelSize(width: width, height: height))
        }
    }

    @Test func openAIEditsUploadReferencesAndMaskAsMultipart() async throws {
        let inputs = [reference(.png, seed: 1), reference(.jpeg, seed: 2), reference(.png, seed: 3, referenceType: "mask")]
        try await withFake(.openAI) { server, channel, http in
            let images = try await OpenAIImageEngine(channel: channel, http: http)
                .generate(job(count: 3, inputs: inputs) { $0.additionalParameters = ["background": .string("auto")] }) { _ in }
            #expect(images.count == 3)
            let sent = try #require(await server.requests.first)
            #expect(sent.problems.isEmpty, "\(sent.problems)")
            #expect(sent.path == "/v1/images/edits" && sent.authorization == "Bearer sk-test")
            #expect(sent.contentType?.hasPrefix("multipart/form-data; boundary=") == true)
            #expect(sent.parts.map(\.name) == ["model", "prompt", "size", "quality", "n", "output_format", "background",
                                               "image[]", "image[]", "mask"])
            #expect(sent.parts.map(\.filename) == Array(repeating: nil, count: 7) + ["image-1.png", "image-2.jpg", "mask.png"])
            #expect(sent.parts.suffix(3).map(\.contentType) == ["image/png", "image/jpeg", "image/png"])
            #expect(sent.parts.suffix(3).map(\.bytes) == inputs.map(\.bytes))
            #expect(sent.field("n") == .string("3") && sent.field("model") == .string("gpt-image-2"))
            #expect(sent.field("moderation") == nil)
        }
    }

    static let openAIErrors: [ErrorCase] = [
        ErrorCase(label: "400 invalid_value", reply: .raw(status: 400, body: FakeOpenAIServer.invalidValue),
                  code: "InvalidParameterValue", isRetryable: false, mentions: "Invalid value: 'gpt-image-2'"),
        ErrorCase(label: "401 invalid_api_key", reply: .raw(status: 401, body: FakeOpenAIServer.invalidAPIKey),
                  code: "InternalError", isRetryable: false),
        ErrorCase(label: "400 moderation_blocked", reply: .raw(status: 400, body: FakeOpenAIServer.moderationBlocked),
                  code: "InvalidParameter.ViolationContent", isRetryable: false),
        ErrorCase(label: "429 retry-after", reply: .raw(status: 429, body: FakeOpenAIServer.rateLimited,
                                                        headers: ["retry-after": "7"]),
                  code: "RequestLimitExceeded", isRetryable: true, retryAfter: .seconds(7)),
        ErrorCase(label: "429 retry-after-ms", reply: .raw(status: 429, body: FakeOpenAIServer.rateLimited,
                                                           headers: ["retry-after-ms": "1500"]),
                  code: "RequestLimitExceeded", isRetryable: true, retryAfter: .milliseconds(1500)),
        ErrorCase(label: "429 insufficient_quota", reply: .raw(status: 429, body: FakeOpenAIServer.insufficientQuota),
                  code: "ResourceInsufficient", isRetryable: false),
        ErrorCase(label: "500 server_error", reply: .raw(status: 500, body: FakeOpenAIServer.serverError),
                  code: "InternalError", isRetryable: true),
        ErrorCase(label: "200 not JSON", reply: .raw(status: 200, body: "<html>upstream proxy error</html>"),
                  code: "ModelGenerateFailed", isRetryable: true),
        ErrorCase(label: "200 b64 not an image", reply: .raw(status: 200, body: #"{"data":[{"b64_json":"aGVsbG8="}]}"#),
                  code: "ModelGenerateFailed", isRetryable: true),
        ErrorCase(label: "200 empty data", reply: .emptyData, code: "ModelGenerateFailed", isRetryable: false),
    ]

    @Test(arguments: openAIErrors)
    func openAIErrorMapping(_ expected: ErrorCase) async throws {
        try await withFake(.openAI, reply: expected.reply) { server, channel, http in
            let error = try #require(await failure { try await OpenAIImageEngine(channel: channel, http: http).generate(job()) { _ in } })
            #expect(error.code.rawValue == expected.code)
            #expect(error.isRetryable == expected.isRetryable)
            #expect(error.retryAfter == expected.retryAfter)
            if let mentions = expected.mentions { #expect(error.message.contains(mentions), "\(error.message)") }
            #expect(!error.message.contains("sk-test"))
            #expect(await server.requests.map(\.problems) == [[]])
        }
    }

    @Test func openAISlowAnswerTimesOut() async throws {
        try await withFake(.openAI, reply: .slow(.seconds(3)), timeout: .seconds(1)) { _, channel, http in
            let error = try #require(await failure { try await OpenAIImageEngine(channel: channel, http: http).generate(job()) { _ in } })
            #expect(error.code == "TaskTimeout" && error.isRetryable)
        }
    }

    @Test func theFakeRefusesFieldsOpenAIDoesNotTake() async throws {
        // The compatible engine sends `response_format`, which GPT image models reject: the fake must catch it.
        try await withFake(.openAI) { server, channel, http in
            let error = try #require(await failure { try await OpenAICompatibleEngine(channel: channel, http: http).generate(job()) { _ in } })
            #expect(error.code == "InvalidParameterValue" && error.message.contains("Unknown parameter: 'response_format'"))
            #expect(await server.requests.first?.problems == ["Unknown parameter: 'response_format'.",
                                                              "Missing required parameter: 'model'."])
        }
    }

    @Test func openAIWithoutAPIKeyFailsBeforeCallingOut() async throws {
        try await withFake(.openAI, apiKey: nil) { server, channel, http in
            let error = try #require(await failure { try await OpenAIImageEngine(channel: channel, http: http).generate(job()) { _ in } })
            #expect(error.code == "InternalError" && !error.isRetryable)
            #expect(await server.requests.isEmpty)
        }
    }
}
