import AsyncHTTPClient
import EaselCore
import Foundation
import Synchronization
import Testing
@testable import EaselEngines

/// `GeminiImageEngine` against `FakeGeminiServer` over real HTTP on 127.0.0.1.
@Suite struct GeminiEngineTests {
    static let key = "gm-test-key"

    /// Runs `body` with an engine whose channel points at a fresh fake playing `model`.
    func withEngine(model: String, replies: [FakeGeminiServer.Reply] = [.image], apiKey: String? = key,
                    routes: [ModelRoute] = [], options: [String: String] = [:],
                    _ body: (GeminiImageEngine, FakeGeminiServer) async throws -> Void) async throws {
        let fake = FakeGeminiServer(model: model, apiKey: Self.key, replies: replies)
        try await EngineHarness.withEngine(on: fake, { baseURL, http in
            try GeminiImageEngine(channel: UpstreamChannel(name: "gemini-test", kind: .gemini, baseURL: baseURL + "/", apiKey: apiKey,
                                                           models: routes, options: options, timeout: .seconds(30)), http: http)
        }) { engine in try await body(engine, fake) }
    }

    func job(_ name: String = "GG", _ version: String, count: Int = 1, inputs: [ResolvedImage] = [],
             size: PixelSize = PixelSize(width: 1024, height: 1024), _ configure: (inout ImageRequest) -> Void = { _ in }) -> EngineJob {
        var request = ImageRequest(modelName: name, modelVersion: version, prompt: "a red fox in the snow")
        configure(&request)
        return EngineJob(taskId: "251007502-AigcImageTask-test", request: request, outputSize: size, imageCount: count, inputs: inputs)
    }

    /// The `EngineError` `job` fails with on `engine`.
    func failure(of engine: GeminiImageEngine, _ job: EngineJob, sourceLocation: SourceLocation = #_sourceLocation) async -> EngineError? {
        await EngineHarness.failure({ try await engine.generate(job) { _ in } }, sourceLocation: sourceLocation)
    }

    static func reference(_ format: ImageFormat, text: String? = nil) -> ResolvedImage {
        .rendered(seed: 3, width: 48, height: 32, format: format, sourceURL: "https://example.com/ref.png", text: text)
    }

    @Test func gemini3SendsReferencesDescriptionsAndImageConfig() async throws {
        let building = Self.reference(.png, text: "Task background: this is the main building (image 1)")
        let car = Self.reference(.jpeg)
        let job = job("GG", "3.0", inputs: [building, car]) {
            $0.negativePrompt = "text, watermark"
            $0.aspectRatio = "16:9"
            $0.resolution = "2K"
            $0.seed = 42
            $0.outputComplianceCheck = true
            $0.personGeneration = "Disallowed"
        }
        try await withEngine(model: "gemini-3-pro-image-preview") { engine, fake in
            let images = try await engine.generate(job) { _ in }
            #expect(await fake.violations == [])
            let calls = await fake.calls
            try #require(calls.count == 1)
            let call = calls[0]
            #expect(call.path == "/v1beta/models/gemini-3-pro-image-preview:generateContent")
            #expect(call.parts == [
                .object(["text": .string("Task background: this is the main building (image 1)")]),
                .object(["inlineData": .object(["mimeType": .string("image/png"), "data": .string(building.base64)])]),
                .object(["inlineData": .object(["mimeType": .string("image/jpeg"), "data": .string(car.base64)])]),
                .object(["text": .string("a red fox in the snow\nAvoid: text, watermark")]),
            ])
            #expect(call.body["contents"]?.arrayValue?.first?["role"] == .string("user"))
            #expect(call.generationConfig?["responseModalities"] == .array([.string("IMAGE")]))
            #expect(call.imageConfig == ["aspectRatio": .string("16:9"), "imageSize": .string("2K")])
            #expect(call.generationConfig?["seed"] == .int(42))
            let settings = call.body["safetySettings"]?.arrayValue ?? []
            #expect(settings.count == 4)
            #expect(settings.allSatisfy { $0["threshold"] == .string("BLOCK_MEDIUM_AND_ABOVE") })
            // The interim thought image (64×64) is skipped; the answer is the 16:9 image.
            try #require(images.count == 1)
            #expect(images[0].info.format == .png)
            #expect(images[0].info.width > images[0].info.height)
            #expect(images[0].info.width != 64)
        }
    }

    @Test func flash25MakesOneCallPerImageTwoAtATime() async throws {
        let progress = Mutex<[Int]>([])
        let job = job("GG", "2.5", count: 3) {
            $0.aspectRatio = "9:16"
            $0.resolution = "1K"
            $0.seed = 7
        }
        try await withEngine(model: "gemini-2.5-flash-image") { engine, fake in
            let images = try await engine.generate(job) { value in progress.withLock { $0.append(value) } }
            #expect(await fake.violations == [])
            #expect(images.count == 3)
            #expect(images.allSatisfy { $0.info.height > $0.info.width })
            let calls = await fake.calls
            #expect(calls.count == 3)
            // Never more than the engine's parallelism (how much the calls overlap depends on the machine's load).
            #expect((1...GeminiImageEngine.parallelCalls).contains(await fake.maxInFlight))
            // 2.5 Flash Image has no imageSize; each call gets its own seed.
            #expect(calls.allSatisfy { $0.imageConfig == ["aspectRatio": .string("9:16")] })
            #expect(Set(calls.compactMap { $0.generationConfig?["seed"] }) == [.int(7), .int(8), .int(9)])
            #expect(progress.withLock { $0 } == [33, 66, 100])
        }
    }

    @Test func channelModelOverrideAndGEMSizes() async throws {
        // GEM's WxH resolutions become an aspect ratio and the tier that holds them.
        let job = job("GEM", "3.0", size: PixelSize(width: 2304, height: 1728)) { $0.resolution = "2304x1728" }
        try await withEngine(model: "gemini-3-pro-image", routes: [ModelRoute(name: "GG", version: "3.0",
                                                                              upstreamModel: "models/gemini-3-pro-image")]) { engine, fake in
            let images = try await engine.generate(job) { _ in }
            #expect(images.count == 1)
            #expect(await fake.violations == [])
            let call = try #require(await fake.calls.first)
            #expect(call.path == "/v1beta/models/gemini-3-pro-image:generateContent")
            #expect(call.imageConfig == ["aspectRatio": .string("4:3"), "imageSize": .string("2K")])
            #expect(call.body["safetySettings"] == nil)
        }
    }

    @Test func flash31MapsVODTiersAndExtraRatios() async throws {
        // VOD's 720P is not a Gemini tier: the smallest tier holding 1280×720 is 1K.
        let wide = job("GG", "3.1", size: PixelSize(width: 1280, height: 720)) {
            $0.aspectRatio = "16:9"
            $0.resolution = "720P"
        }
        // A tall 1:8 at 720P is 720×5760, which only 2K holds; without a prompt the turn is the image alone.
        let tall = job("GG", "3.1-lite", inputs: [Self.reference(.png)], size: PixelSize(width: 720, height: 5760)) {
            $0.aspectRatio = "1:8"
            $0.resolution = "720P"
            $0.prompt = nil
        }
        try await withEngine(model: "gemini-3.1-flash-image-preview") { engine, fake in
            _ = try await engine.generate(wide) { _ in }
            _ = try await engine.generate(tall) { _ in }
            #expect(await fake.violations == [])
            let calls = await fake.calls
            try #require(calls.count == 2)
            #expect(calls[0].imageConfig == ["aspectRatio": .string("16:9"), "imageSize": .string("1K")])
            #expect(calls[1].imageConfig == ["aspectRatio": .string("1:8"), "imageSize": .string("2K")])
            #expect(calls[1].parts.count == 1)
            #expect(calls[1].parts.first?["inlineData"] != nil)
        }
    }

    static let blocks: [(FakeGeminiServer.Reply, String)] = [
        (.promptBlocked("PROHIBITED_CONTENT"), "InvalidParameter.ViolationContent"),
        (.promptBlocked("OTHER"), "InvalidParameter.ViolationContent"),
        (.finish("IMAGE_SAFETY"), "ContentModerationFailed"),
        (.finish("PROHIBITED_CONTENT"), "ContentModerationFailed"),
        (.finish("SAFETY"), "ContentModerationFailed"),
        (.finish("NO_IMAGE"), "ModelGenerateFailed"),
        (.textOnly("I can't draw that, but here is a poem."), "ModelGenerateFailed"),
    ]

    @Test(arguments: blocks)
    func safetyAndEmptyAnswersInsideHTTP200(reply: FakeGeminiServer.Reply, code: String) async throws {
        try await withEngine(model: "gemini-2.5-flash-image", replies: [reply]) { engine, fake in
            let error = await failure(of: engine, job("GG", "2.5"))
            #expect(error?.code.rawValue == code)
            #expect(error?.isRetryable == false)
            #expect(await fake.violations == [])
            if case .textOnly = reply { #expect(error?.message.contains("poem") == true) }
        }
    }

    static let delays: [(String, Duration)] = [("47s", .seconds(47)), ("1.5s", .milliseconds(1500))]

    @Test(arguments: delays)
    func rateLimitHonoursRetryInfo(delay: String, expected: Duration) async throws {
        try await withEngine(model: "gemini-2.5-flash-image", replies: [.rateLimited(retryDelay: delay)]) { engine, _ in
            let error = await failure(of: engine, job("GG", "2.5"))
            #expect(error?.code == "RequestLimitExceeded")
            #expect(error?.isRetryable == true)
            #expect(error?.retryAfter == expected)
        }
    }

    static let statuses: [(Int, String, String, String, Bool)] = [
        (503, "UNAVAILABLE", "The model is overloaded. Please try again later.", "InternalError", true),
        (500, "INTERNAL", "An internal error has occurred.", "InternalError", true),
        (504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.", "TaskTimeout", true),
        (400, "INVALID_ARGUMENT", "Invalid value at 'generation_config.image_config.aspect_ratio'", "InvalidParameterValue", false),
        (403, "PERMISSION_DENIED", "The caller does not have permission", "InternalError", false),
        (400, "FAILED_PRECONDITION", "User location is not supported for the API use.", "InternalError", false),
    ]

    @Test(arguments: statuses)
    func errorStatuses(http: Int, status: String, message: String, code: String, retryable: Bool) async throws {
        try await withEngine(model: "gemini-3-pro-image-preview", replies: [.error(http: http, status: status, message: message)]) { engine, _ in
            let error = await failure(of: engine, job("GG", "3.0"))
            #expect(error?.code.rawValue == code)
            #expect(error?.isRetryable == retryable)
            #expect(error?.message.contains("aspect_ratio") == (code == "InvalidParameterValue"))
        }
    }

    @Test(arguments: ["gm-wrong-key", nil] as [String?])
    func badOrMissingKeyIsAConfigurationError(key: String?) async throws {
        try await withEngine(model: "gemini-2.5-flash-image", apiKey: key) { engine, fake in
            let error = await failure(of: engine, job("GG", "2.5"))
            #expect(error?.code == "InternalError")
            #expect(error?.isRetryable == false)
            #expect(error?.message.contains("gm-") == false)
            #expect(await fake.calls.isEmpty)
        }
    }

    static let malformed: [FakeGeminiServer.Reply] = [.truncatedJSON, .badBase64]

    @Test(arguments: malformed)
    func malformedAnswers(reply: FakeGeminiServer.Reply) async throws {
        try await withEngine(model: "gemini-2.5-flash-image", replies: [reply]) { engine, _ in
            let error = await failure(of: engine, job("GG", "2.5"))
            #expect(error?.code == "ModelGenerateFailed")
            #expect(error?.isRetryable == true)
        }
    }

    @Test func oneFailedCallFailsTheJob() async throws {
        let replies: [FakeGeminiServer.Reply] = [.image, .finish("IMAGE_SAFETY"), .image]
        try await withEngine(model: "gemini-2.5-flash-image", replies: replies) { engine, _ in
            let error = await failure(of: engine, job("GG", "2.5", count: 3))
            #expect(error?.code == "ContentModerationFailed")
        }
    }

    @Test func theFakeRefusesVertexOnlyFields() async throws {
        // personGeneration is sent only when a channel enables it; the Developer API (and the fake) refuse it.
        let job = job("GG", "3.0") { $0.personGeneration = "AllowAdult" }
        try await withEngine(model: "gemini-3-pro-image-preview", options: ["person_generation": "true"]) { engine, fake in
            let error = await failure(of: engine, job)
            #expect(error?.code == "InvalidParameterValue")
            #expect(await fake.violations.count == 1)
        }
    }
}
