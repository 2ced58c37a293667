import AsyncHTTPClient
import EaselCore
import Foundation
import Synchronization
import Testing
@testable import EaselEngines

/// `ArkSeedreamEngine` against `FakeArkServer` over real HTTP on 127.0.0.1.
@Suite struct ArkSeedreamEngineTests {
    static let key = "ark-test-key"

    /// Runs `body` with an engine whose channel points at a fresh fake playing `model`.
    func withEngine(model: String, replies: [FakeArkServer.Reply] = [.images], apiKey: String = key,
                    routes: [ModelRoute] = [], options: [String: String] = [:],
                    _ body: (ArkSeedreamEngine, FakeArkServer) async throws -> Void) async throws {
        let fake = FakeArkServer(model: model, apiKey: Self.key, replies: replies)
        try await EngineHarness.withEngine(on: fake, { baseURL, http in
            try ArkSeedreamEngine(channel: UpstreamChannel(name: "ark-test", kind: .ark, baseURL: baseURL, apiKey: apiKey,
                                                           models: routes, options: options, timeout: .seconds(30)), http: http)
        }) { engine in try await body(engine, fake) }
    }

    func job(_ version: String, count: Int = 1, inputs: [ResolvedImage] = [], size: PixelSize = PixelSize(width: 2048, height: 2048),
             _ configure: (inout ImageRequest) -> Void = { _ in }) -> EngineJob {
        var request = ImageRequest(modelName: "SI", modelVersion: version, prompt: "生成狗狗趴在草地上的近景画面")
        configure(&request)
        return EngineJob(taskId: "251007502-AigcImageTask-ark", request: request, outputSize: size, imageCount: count, inputs: inputs)
    }

    /// The `EngineError` `job` fails with on `engine`.
    func failure(of engine: ArkSeedreamEngine, _ job: EngineJob, sourceLocation: SourceLocation = #_sourceLocation) async -> EngineError? {
        await EngineHarness.failure({ try await engine.generate(job) { _ in } }, sourceLocation: sourceLocation)
    }

    static func reference(_ format: ImageFormat, url: String? = nil) -> ResolvedImage {
        .rendered("dog", seed: 2, width: 40, height: 30, format: format, sourceURL: url)
    }

    @Test func textToImageSendsTheDocumentedFieldsAndFetchesTheURL() async throws {
        let job = job("4.0", size: PixelSize(width: 2048, height: 2048)) {
            $0.resolution = "2K"
            $0.seed = 5
            $0.enhancePrompt = true
            $0.negativePrompt = "ignored: Seedream has no negative prompt"
        }
        try await withEngine(model: "doubao-seedream-4-0-250828") { engine, fake in
            let images = try await engine.generate(job) { _ in }
            #expect(await fake.violations == [])
            let body = try #require(await fake.calls.first)
            #expect(body == .object([
                "model": .string("doubao-seedream-4-0-250828"), "prompt": .string("生成狗狗趴在草地上的近景画面"),
                "size": .string("2K"), "sequential_image_generation": .string("disabled"), "stream": .bool(false),
                "response_format": .string("url"), "watermark": .bool(false), "seed": .int(5),
                "optimize_prompt_options": .object(["mode": .string("standard")]),
            ]))
            try #require(images.count == 1)
            #expect(images[0].info.format == .png)
            #expect(await fake.downloads == 1)
        }
    }

    @Test func referencesPreferTheirSourceURLAndExplicitSizesAreWxH() async throws {
        let remote = Self.reference(.png, url: "https://example.com/dog.png")
        let local = Self.reference(.jpeg)
        let job = job("4.5", inputs: [remote, local], size: PixelSize(width: 2560, height: 1440)) {
            $0.size = PixelSize(width: 2560, height: 1440)
            $0.logoAdd = true
        }
        try await withEngine(model: "doubao-seedream-4-5-251128", options: ["response_format": "b64_json"]) { engine, fake in
            let images = try await engine.generate(job) { _ in }
            #expect(await fake.violations == [])
            let body = try #require(await fake.calls.first)
            #expect(body["image"] == .array([.string("https://example.com/dog.png"), .string(local.dataURL)]))
            #expect(local.dataURL.hasPrefix("data:image/jpeg;base64,"))
            #expect(body["size"] == .string("2560x1440"))
            #expect(body["watermark"] == .bool(true))
            #expect(body["response_format"] == .string("b64_json"))
            #expect(images.count == 1)
            #expect(images.first.map { $0.info.width * 9 == $0.info.height * 16 } == true)
            #expect(await fake.downloads == 0)
        }
    }

    @Test func oneReferenceIsAStringAndLiteTakesOutputFormat() async throws {
        let local = Self.reference(.png)
        let job = job("5.0-lite", inputs: [local]) { $0.outputFormat = "jpeg" }
        try await withEngine(model: "doubao-seedream-5-0-260128") { engine, fake in
            _ = try await engine.generate(job) { _ in }
            #expect(await fake.violations == [])
            let body = try #require(await fake.calls.first)
            #expect(body["image"] == .string(local.dataURL))
            #expect(body["output_format"] == .string("jpeg"))
            // No resolution: the 2048² output size is the model's own 2K token.
            #expect(body["size"] == .string("2K"))
        }
    }

    static let groupOptions: [JSONValue] = [.object(["max_images": .int(3)]), .string(#"{"max_images":"3"}"#)]

    @Test(arguments: groupOptions)
    func sequentialGroupIsOneCall(options: JSONValue) async throws {
        let progress = Mutex<[Int]>([])
        let job = job("4.0", inputs: [Self.reference(.png, url: "https://example.com/a.png")]) {
            $0.additionalParameters = ["sequential_image_generation": .string("auto"),
                                       "sequential_image_generation_options": options]
        }
        try await withEngine(model: "doubao-seedream-4-0-250828") { engine, fake in
            let images = try await engine.generate(job) { value in progress.withLock { $0.append(value) } }
            #expect(await fake.violations == [])
            #expect(images.count == 3)
            let body = try #require(await fake.calls.first)
            #expect(body["sequential_image_generation"] == .string("auto"))
            #expect(body["sequential_image_generation_options"] == .object(["max_images": .int(3)]))
            #expect(await fake.calls.count == 1)
            #expect(progress.withLock { $0 } == [100])
        }
    }

    @Test func withoutGroupModeEachImageIsACall() async throws {
        try await withEngine(model: "doubao-seedream-4-0-250828") { engine, fake in
            let images = try await engine.generate(job("4.0", count: 2)) { _ in }
            #expect(images.count == 2)
            #expect(await fake.calls.count == 2)
            #expect(await fake.violations == [])
        }
    }

    @Test func groupKeepsTheImagesThatPassedModeration() async throws {
        let group = job("4.0") { $0.additionalParameters = ["sequential_image_generation": .string("auto"),
                                                            "sequential_image_generation_options": .object(["max_images": .int(3)])] }
        try await withEngine(model: "doubao-seedream-4-0-250828", replies: [.partialFailure, .allFailed]) { engine, _ in
            let kept = try await engine.generate(group) { _ in }
            #expect(kept.count == 2)
            let error = await failure(of: engine, group)
            #expect(error?.code == "ContentModerationFailed")
        }
    }

    static let errors: [(Int, String, String, String?, String, Bool)] = [
        (400, "InputTextSensitiveContentDetected", "BadRequest", nil, "InvalidParameter.ViolationContent", false),
        (400, "InputImageSensitiveContentDetected.PrivacyInformation", "BadRequest", nil, "InvalidParameter.ViolationContent", false),
        (400, "SensitiveContentDetected.SevereViolation", "BadRequest", nil, "InvalidParameter.ViolationContent", false),
        (400, "OutputImageSensitiveContentDetected", "BadRequest", nil, "ContentModerationFailed", false),
        (400, "InvalidParameter.OversizedImage", "BadRequest", nil, "InvalidParameterValue", false),
        (429, "RateLimitExceeded.EndpointRPMExceeded", "TooManyRequests", "3", "RequestLimitExceeded", true),
        (500, "InternalServiceError", "InternalServiceError", nil, "InternalError", true),
        (503, "ServiceUnavailable", "ServiceUnavailable", nil, "InternalError", true),
        (403, "AccountOverdueError", "Forbidden", nil, "ResourceInsufficient", false),
        (404, "ModelNotOpen", "NotFound", nil, "InternalError", false),
    ]

    @Test(arguments: errors)
    func errorCodes(http: Int, code: String, type: String, retryAfter: String?, expected: String, retryable: Bool) async throws {
        try await withEngine(model: "doubao-seedream-4-0-250828",
                             replies: [.error(http: http, code: code, type: type, retryAfter: retryAfter)]) { engine, _ in
            let error = await failure(of: engine, job("4.0"))
            #expect(error?.code.rawValue == expected)
            #expect(error?.isRetryable == retryable)
            #expect(error?.retryAfter == retryAfter.flatMap(Int.init).map { Duration.seconds($0) })
        }
    }

    @Test func wrongKeyIsAConfigurationErrorAndNeverEchoed() async throws {
        try await withEngine(model: "doubao-seedream-4-0-250828", apiKey: "ark-wrong-key") { engine, fake in
            let error = await failure(of: engine, job("4.0"))
            #expect(error?.code == "InternalError")
            #expect(error?.isRetryable == false)
            #expect(error?.message.contains("ark-") == false)
            #expect(await fake.calls.isEmpty)
        }
    }

    @Test func channelModelOverrideIsSentAsIs() async throws {
        let routes = [ModelRoute(name: "SI", version: "4.0", upstreamModel: "ep-20250828-seedream")]
        try await withEngine(model: "ep-20250828-seedream", routes: routes) { engine, fake in
            let images = try await engine.generate(job("4.0")) { _ in }
            #expect(images.count == 1)
            #expect(await fake.violations == [])
        }
    }

    @Test func malformedAnswersAndLostImages() async throws {
        try await withEngine(model: "doubao-seedream-4-0-250828", replies: [.truncatedJSON, .expiredURL]) { engine, _ in
            let malformed = await failure(of: engine, job("4.0"))
            #expect(malformed?.code == "ModelGenerateFailed")
            #expect(malformed?.isRetryable == true)
            let expired = await failure(of: engine, job("4.0"))
            #expect(expired?.isRetryable == true)
            #expect(expired?.message.contains("X-Tos") == false)
        }
    }

    @Test(arguments: ["url", "b64_json"])
    func imagesOverTheLimitAreRefused(format: String) async throws {
        try await withEngine(model: "doubao-seedream-4-0-250828",
                             options: ["response_format": format, "max_image_bytes": "2000"]) { engine, _ in
            let error = await failure(of: engine, job("4.0", size: PixelSize(width: 4096, height: 4096)) { $0.resolution = "4K" })
            #expect(error?.code == "ModelGenerateFailed")
            #expect(error?.isRetryable == false)
        }
    }

    static let badBodies: [(String, String)] = [
        (#"{"model":"m-4-0","prompt":"x","size":"3K"}"#, "size"),
        (#"{"model":"m-4-5","prompt":"x","size":"1280x720"}"#, "size"),
        (#"{"model":"m-4-0","prompt":"x","image":["https://a/b.png"]}"#, "image"),
        (#"{"model":"m-4-0","prompt":"x","image":"data:image/png;base64,AAAA"}"#, "image"),
        (#"{"model":"m-4-0","prompt":"x","seed":"5"}"#, "seed"),
        (#"{"model":"m-4-0","prompt":"x","watermark":"false"}"#, "watermark"),
        (#"{"model":"m-4-0","prompt":"x","sequential_image_generation_options":{"max_images":3}}"#,
         "sequential_image_generation_options"),
        (#"{"model":"m-4-0","prompt":"x","output_format":"png"}"#, "output_format"),
        (#"{"model":"m-4-0","prompt":"x","n":2}"#, "n"),
    ]

    /// The fake's checks catch what they should (so a passing adapter test means something).
    @Test(arguments: badBodies)
    func theFakeRefusesWrongFields(body: String, param: String) throws {
        let problems = FakeArkServer.check(try JSONValue.parse(Array(body.utf8)), model: body.contains("4-5") ? "m-4-5" : "m-4-0")
        #expect(problems.map(\.param).contains(param))
    }
}
