import EaselCore
import EaselWorker
import Foundation
import Logging
import Synchronization
import Testing
@testable import EaselEngines
@testable import EaselApp
@testable import EaselHTTP
import EaselServices

// End to end through a whole Easel: channels configured with base-URL overrides pointing at the wire-exact fakes,
// tasks submitted through the TaskService in the VOD dialect (MPS for the MPS-only wand-vega-image), run by the
// dispatcher, and read back as the dialects would. Every fake must have seen exact requests (no problems).
//
// Catalog model → provider → fake (the `catalogCases` below):
//   GEM 2.5, GG 2.5 → gemini (gemini-2.5-flash-image) → FakeGeminiServer
//   GEM 3.0, GG 3.0 → gemini (gemini-3-pro-image-preview) → FakeGeminiServer
//   GG 3.1, GG 3.1-lite → gemini (gemini-3.1-flash-image-preview) → FakeGeminiServer
//   OG image2_low/medium/high → openai (gpt-image-2) → FakeOpenAIServer(.openAI)
//   SI 4.0 / 4.5 / 5.0-lite → ark → FakeArkServer (one per upstream model)
//   Qwen 0925 → dashscope, async mode (qwen-image-plus) → FakeDashScopeServer; Qwen 2.0 → dashscope sync (qwen-image-2.0)
//   Hunyuan 3.0 → hunyuan (aiart) → FakeTencentServer
//   Hunyuan 3d_2.0, Hunyuan 3.5-preview, Kling scene → vod pass-through → FakeTencentServer (VOD API 3.0)
//   Vidu q2 → vidu → FakeViduServer
//   Kling 2.1 / 3.0 / 3.0-Omni / O1 → kling → FakeKlingServer (one per version: each plays one task)
//   Jimeng 4.0 → jimeng → FakeVolcengineServer
//   MJ v7 → midjourney → FakeMidjourneyServer
//   Mingmou 1.0 → comfyui → FakeComfyUIServer
//   wand-vega-image 1.0-lite/flash/pro (MPS only) → openai-compatible → FakeOpenAIServer(.compatible)
@Suite struct ProvidersEndToEndTests {
    @Test func everyCatalogModelFinishesWithTheFakesImage() async throws {
        let cases = Self.catalogCases
        // Every distinct name/version of the catalog is covered, and nothing else.
        let catalog = Set(ModelCatalog.standard.all.map { "\($0.name)/\($0.version)" })
        #expect(Set(cases.map { "\($0.request.modelName)/\($0.request.modelVersion)" }) == catalog)

        let result = try await E2E.run(channels: Self.catalogChannels, cases: cases)
        for item in cases {
            let task = try #require(result.tasks[item.label], "\(item.label) has no task")
            #expect(task.status == .succeeded, "\(item.label): \(task.status) \(task.errorCode ?? "") \(task.errorMessage ?? "")")
            let engine = task.run.engine
            // Channels listing GEM/x and GG/x (one family) must be routed once.
            #expect(engine == item.engine, "\(item.label) ran on \(engine ?? "nothing")")
            #expect(!task.run.isSandbox)
            guard task.status == .succeeded else { continue }
            #expect(task.outputs.count == 1, "\(item.label): \(task.outputs.count) outputs")
            let bytes = try #require(result.outputs[item.label], "\(item.label): output not in the blob store")
            let info = ImageProbe.inspect(bytes)
            #expect(info?.format == .png && task.outputs.first?.contentType == "image/png", "\(item.label): \(String(describing: info))")
            #expect(info.map { [$0.width, $0.height] } == task.outputs.first.map { [$0.width, $0.height] })
            let served = result.fakes[item.engine]?.images ?? []
            #expect(served.contains(bytes), "\(item.label): the stored image is not what \(item.engine) served")
        }
        for (channel, report) in result.fakes.sorted(by: { $0.key < $1.key }) {
            #expect(report.problems.isEmpty, "\(channel): \(report.problems)")
        }
        // Fakes that play one task each saw exactly one create.
        for channel in ["kling-2.1", "kling-3.0", "kling-3.0-omni", "kling-o1", "vidu", "jimeng", "dashscope-0925", "dashscope-2.0",
                        "hunyuan", "midjourney", "comfyui"] {
            #expect(result.fakes[channel]?.creates == 1, "\(channel): \(result.fakes[channel]?.creates ?? -1) creates")
        }
        #expect(result.fakes["vod"]?.creates == 3 && result.fakes["openai"]?.creates == 3 && result.fakes["local-sd"]?.creates == 3)
    }

    @Test func eachProviderFailsWithTheRightErrCodeExt() async throws {
        let cases = Self.failureCases
        let result = try await E2E.run(channels: Self.failureChannels, cases: cases)
        for item in cases {
            let task = try #require(result.tasks[item.label], "\(item.label) has no task")
            #expect(task.status == .failed, "\(item.label): \(task.status)")
            #expect(task.errorCode?.rawValue == item.failure, "\(item.label): \(task.errorCode ?? "no code") \(task.errorMessage ?? "")")
            #expect(task.outputs.isEmpty)
            let message = task.errorMessage ?? ""
            #expect(!message.isEmpty && !E2E.secrets.contains { message.contains($0) }, "\(item.label) leaks: \(message)")
            // A documented non-retryable failure is neither retried nor failed over.
            #expect(result.fakes[item.engine]?.creates == 1, "\(item.label): \(result.fakes[item.engine]?.creates ?? -1) creates")
        }
        for (channel, report) in result.fakes.sorted(by: { $0.key < $1.key }) {
            #expect(report.problems.isEmpty, "\(channel): \(report.problems)")
        }
    }

    @Test func failsOverToTheNextChannelAfterRetryingA503() async throws {
        let down = "kling-down", backup = "vod-backup"
        let request = Self.request("Kling", "3.0")
        let channels = [
            E2E.Channel(E2E.upstream(down, "kling", ["Kling/3.0"], accessKey: E2E.klingAK, secretKey: E2E.klingSK, maxAttempts: 3)) { _ in
                E2E.kling(.init(path: "/v1/images/generations", body: json(#"{"model_name":"kling-v3","prompt":"\#(Self.prompt)","n":1}"#),
                                submitReply: .init(status: 503, body: "upstream connect error")))
            },
            E2E.vodChannel(backup, ["Kling/3.0"]),
        ]
        let result = try await E2E.run(channels: channels, cases: [E2E.Case(label: "kling-failover", request: request, engine: "\(down),\(backup)")])
        let task = try #require(result.tasks["kling-failover"])
        #expect(task.status == .succeeded, "\(task.errorCode ?? "") \(task.errorMessage ?? "")")
        #expect(task.run.engine == "\(down),\(backup)")
        #expect(result.fakes[down]?.creates == 3, "the failing channel saw \(result.fakes[down]?.creates ?? -1) creates")
        #expect(result.fakes[backup]?.creates == 1)
        let bytes = try #require(result.outputs["kling-failover"])
        #expect(result.fakes[backup]?.images.contains(bytes) == true)
        #expect(result.fakes[down]?.problems == [] && result.fakes[backup]?.problems == [])
    }

    @Test func channelConcurrencyLimitCoversAllItsModels() async throws {
        let channel = E2E.geminiChannel("gemini-one", ["GG/3.1", "GG/3.1-lite"], model: "gemini-3.1-flash-image-preview",
                                        maxConcurrency: 1)
        let cases = ["3.1", "3.1-lite"].flatMap { version in
            (1...2).map { E2E.Case(label: "\(version) #\($0)", request: Self.request("GG", version), engine: "gemini-one") }
        }
        let result = try await E2E.run(channels: [channel], cases: cases)
        #expect(cases.allSatisfy { result.tasks[$0.label]?.status == .succeeded })
        // `max_concurrency` holds across all the models of a channel.
        #expect(result.fakes["gemini-one"]?.maxInFlight == 1, "\(result.fakes["gemini-one"]?.maxInFlight ?? -1) calls in flight")
    }

    // MARK: The catalog run

    static let prompt = "a red fox in the snow"

    static func request(_ name: String, _ version: String, _ edit: (inout ImageRequest) -> Void = { _ in }) -> ImageRequest {
        .edited(name, version, prompt: prompt, edit)
    }

    /// One task per catalog model, named after it, on the channel that serves it.
    static let catalogCases: [E2E.Case] = {
        func item(_ name: String, _ version: String, _ channel: String, dialect: Dialect = .vod,
                  _ edit: (inout ImageRequest) -> Void = { _ in }) -> E2E.Case {
            E2E.Case(label: "\(name)/\(version)", dialect: dialect, request: request(name, version, edit), engine: channel)
        }
        return [
            item("GEM", "2.5", "gemini-2.5"), item("GG", "2.5", "gemini-2.5") { $0.aspectRatio = "4:3" },
            item("GEM", "3.0", "gemini-3.0") { $0.resolution = "2K" }, item("GG", "3.0", "gemini-3.0"),
            item("GG", "3.1", "gemini-3.1") { $0.aspectRatio = "16:9" }, item("GG", "3.1-lite", "gemini-3.1"),
            item("OG", "image2_low", "openai"), item("OG", "image2_medium", "openai") { $0.aspectRatio = "3:2" },
            item("OG", "image2_high", "openai"),
            item("SI", "4.0", "ark-4.0"), item("SI", "4.5", "ark-4.5"), item("SI", "5.0-lite", "ark-5.0-lite"),
            item("Qwen", "0925", "dashscope-0925"), item("Qwen", "2.0", "dashscope-2.0"),
            item("Hunyuan", "3.0", "hunyuan"), item("Hunyuan", "3d_2.0", "vod"), item("Hunyuan", "3.5-preview", "vod"),
            item("Vidu", "q2", "vidu") { $0.aspectRatio = "16:9" },
            item("Kling", "2.1", "kling-2.1"), item("Kling", "3.0", "kling-3.0") { $0.aspectRatio = "16:9" },
            item("Kling", "3.0-Omni", "kling-3.0-omni"), item("Kling", "O1", "kling-o1"), item("Kling", "scene", "vod"),
            item("Jimeng", "4.0", "jimeng"), item("MJ", "v7", "midjourney"), item("Mingmou", "1.0", "comfyui"),
            item("wand-vega-image", "1.0-lite", "local-sd", dialect: .mps), item("wand-vega-image", "1.0-flash", "local-sd", dialect: .mps),
            item("wand-vega-image", "1.0-pro", "local-sd", dialect: .mps),
        ]
    }()

    static let catalogChannels: [E2E.Channel] = {
        let p = prompt
        func kling(_ version: String, _ path: String, _ body: String) -> E2E.Channel {
            E2E.Channel(E2E.upstream("kling-\(version.lowercased())", "kling", ["Kling/\(version)"],
                                     accessKey: E2E.klingAK, secretKey: E2E.klingSK)) { _ in
                E2E.kling(.init(path: path, body: json(body), play: .init(pollsBeforeDone: 1)))
            }
        }
        return [
            E2E.Channel(E2E.upstream("openai", "openai", ["OG/image2_low", "OG/image2_medium", "OG/image2_high"],
                                     apiKey: E2E.openAIKey)) { _ in E2E.openAI(.openAI, apiKey: E2E.openAIKey, reply: .images) },
            E2E.geminiChannel("gemini-2.5", ["GEM/2.5", "GG/2.5"], model: "gemini-2.5-flash-image"),
            E2E.geminiChannel("gemini-3.0", ["GEM/3.0", "GG/3.0"], model: "gemini-3-pro-image-preview"),
            E2E.geminiChannel("gemini-3.1", ["GG/3.1", "GG/3.1-lite"], model: "gemini-3.1-flash-image-preview"),
            E2E.arkChannel("ark-4.0", "SI/4.0", model: "doubao-seedream-4-0-250828"),
            E2E.arkChannel("ark-4.5", "SI/4.5", model: "doubao-seedream-4-5-251128"),
            E2E.arkChannel("ark-5.0-lite", "SI/5.0-lite", model: "doubao-seedream-5-0-260128"),
            E2E.Channel(E2E.upstream("dashscope-0925", "dashscope", ["Qwen/0925"], apiKey: FakeDashScopeServer.apiKey,
                                     options: ["mode": "async"])) { _ in
                E2E.dashScope(.init(async: true, body: json(#"{"model":"qwen-image-plus","input":{"prompt":"\#(p)"},"parameters":{"n":1,"watermark":false}}"#),
                                    play: .init(pollsBeforeDone: 1)))
            },
            E2E.Channel(E2E.upstream("dashscope-2.0", "dashscope", ["Qwen/2.0"], apiKey: FakeDashScopeServer.apiKey)) { _ in
                E2E.dashScope(.init(body: json(#"""
                    {"model":"qwen-image-2.0","input":{"messages":[{"role":"user","content":[{"text":"\#(p)"}]}]},
                     "parameters":{"n":1,"watermark":false}}
                    """#)))
            },
            E2E.hunyuanChannel("hunyuan", script: .init(polls: [.waiting, .running(50), .done(images: 1)])),
            E2E.vodChannel("vod", ["Hunyuan/3d_2.0", "Hunyuan/3.5-preview", "Kling/scene"]),
            E2E.Channel(E2E.upstream("vidu", "vidu", ["Vidu/q2"], apiKey: FakeViduServer.apiKey)) { ids in
                E2E.vidu(.init(body: json(#"""
                    {"model":"viduq2","prompt":"\#(p)","aspect_ratio":"16:9","payload":"\#(ids["Vidu/q2"] ?? "?")"}
                    """#), play: .init(pollsBeforeDone: 1)))
            },
            kling("2.1", KlingRoute.generations, #"{"model_name":"kling-v2-1","prompt":"\#(p)","n":1}"#),
            kling("3.0", KlingRoute.generations, #"{"model_name":"kling-v3","prompt":"\#(p)","n":1,"aspect_ratio":"16:9"}"#),
            kling("3.0-Omni", KlingRoute.omni, #"{"model_name":"kling-v3-omni","prompt":"\#(p)","n":1}"#),
            kling("O1", KlingRoute.omni, #"{"model_name":"kling-image-o1","prompt":"\#(p)","n":1}"#),
            E2E.jimengChannel("jimeng", script: .init(submitBody: json(#"{"req_key":"jimeng_t2i_v40","prompt":"\#(p)","force_single":true}"#),
                                                      play: .init(pollsBeforeDone: 1))),
            E2E.midjourneyChannel("midjourney", ["MJ/v7"], setup: .init()),
            E2E.comfyChannel("comfyui", ["Mingmou/1.0"], setup: .init(pendingPolls: 1, runningPolls: 1)),
            E2E.Channel(E2E.upstream("local-sd", "openai-compatible",
                                     ["wand-vega-image/1.0-lite", "wand-vega-image/1.0-flash", "wand-vega-image/1.0-pro"],
                                     options: ["model": "sd-turbo"])) { _ in E2E.openAI(.compatible, apiKey: nil, reply: .images) },
        ]
    }()

    // MARK: The failure run: one documented, non-retryable upstream failure per provider

    static let failureCases: [E2E.Case] = {
        func item(_ provider: String, _ name: String, _ version: String, _ code: String, dialect: Dialect = .vod) -> E2E.Case {
            E2E.Case(label: provider, dialect: dialect, request: request(name, version), engine: "\(provider)-fail", failure: code)
        }
        return [
            item("openai", "OG", "image2_medium", "InvalidParameter.ViolationContent"),
            item("openai-compatible", "wand-vega-image", "1.0-lite", "InvalidParameterValue", dialect: .mps),
            item("gemini", "GG", "3.0", "ContentModerationFailed"),
            item("ark", "SI", "4.5", "ContentModerationFailed"),
            item("jimeng", "Jimeng", "4.0", "InvalidParameter.ViolationContent"),
            item("dashscope", "Qwen", "0925", "InvalidParameter.ViolationContent"),
            item("hunyuan", "Hunyuan", "3.0", "InvalidParameter.ViolationContent"),
            item("vidu", "Vidu", "q2", "ContentModerationFailed"),
            item("kling", "Kling", "2.1", "ContentModerationFailed"),
            item("midjourney", "MJ", "v7", "InvalidParameter.ViolationContent"),
            item("vod", "Hunyuan", "3.5-preview", "ContentModerationFailed"),
            item("comfyui", "Mingmou", "1.0", "ModelGenerateFailed"),
        ]
    }()

    static let failureChannels: [E2E.Channel] = {
        let p = prompt
        return [
            E2E.Channel(E2E.upstream("openai-fail", "openai", ["OG/image2_medium"], apiKey: E2E.openAIKey)) { _ in
                E2E.openAI(.openAI, apiKey: E2E.openAIKey, reply: .raw(status: 400, body: FakeOpenAIServer.moderationBlocked))
            },
            E2E.Channel(E2E.upstream("openai-compatible-fail", "openai-compatible", ["wand-vega-image/1.0-lite"])) { _ in
                E2E.openAI(.compatible, apiKey: nil, reply: .raw(status: 400, body: #"{"error":"size 1024x1024 is not supported"}"#))
            },
            E2E.geminiChannel("gemini-fail", ["GG/3.0"], model: "gemini-3-pro-image-preview", replies: [.finish("IMAGE_SAFETY")]),
            E2E.arkChannel("ark-fail", "SI/4.5", model: "doubao-seedream-4-5-251128",
                           replies: [.error(http: 400, code: "OutputImageSensitiveContentDetected", type: "BadRequest")]),
            E2E.jimengChannel("jimeng-fail", script: .init(
                submitBody: json(#"{"req_key":"jimeng_t2i_v40","prompt":"\#(p)","force_single":true}"#),
                play: .init(pollsBeforeDone: 1, outcome: .failed(code: 50411, message: "Pre Img Risk Not Pass", status: 200)))),
            E2E.Channel(E2E.upstream("dashscope-fail", "dashscope", ["Qwen/0925"], apiKey: FakeDashScopeServer.apiKey)) { _ in
                E2E.dashScope(.init(body: json(#"""
                    {"model":"qwen-image-plus","input":{"messages":[{"role":"user","content":[{"text":"\#(p)"}]}]},
                     "parameters":{"n":1,"watermark":false}}
                    """#), reply: .init(status: 400, body: #"{"request_id":"r","code":"DataInspectionFailed","message":"Input or output data may contain inappropriate content."}"#)))
            },
            E2E.hunyuanChannel("hunyuan-fail", script: .init(submit: .apiError(code: "OperationDenied.TextIllegalDetected",
                                                                              message: "文本内容违规"))),
            E2E.Channel(E2E.upstream("vidu-fail", "vidu", ["Vidu/q2"], apiKey: FakeViduServer.apiKey)) { ids in
                E2E.vidu(.init(body: json(#"{"model":"viduq2","prompt":"\#(p)","payload":"\#(ids["vidu"] ?? "?")"}"#),
                               play: .init(pollsBeforeDone: 1, outcome: .failed("CreationPolicyViolation"))))
            },
            E2E.Channel(E2E.upstream("kling-fail", "kling", ["Kling/2.1"], accessKey: E2E.klingAK, secretKey: E2E.klingSK)) { _ in
                E2E.kling(.init(path: KlingRoute.generations, body: json(#"{"model_name":"kling-v2-1","prompt":"\#(p)","n":1}"#),
                                play: .init(pollsBeforeDone: 1, outcome: .failed("Failure to pass the risk control system"))))
            },
            E2E.midjourneyChannel("midjourney-fail", ["MJ/v7"], setup: .init(plan: .fail("Banned prompt detected: gore"))),
            E2E.vodChannel("vod-fail", ["Hunyuan/3.5-preview"],
                           script: .init(polls: [.running(20), .failed(code: "ContentModerationFailed", message: "输出内容审核不通过")])),
            E2E.comfyChannel("comfyui-fail", ["Mingmou/1.0"], setup: .init(plan: .outOfMemory, pendingPolls: 1, runningPolls: 1)),
        ]
    }()
}

// MARK: - Harness

/// Runs tasks through a configured Easel against started fakes.
enum E2E {
    static let tenant = Tenant(appId: 251_007_502, subAppId: 251_007_502)
    static let openAIKey = "sk-test"
    static let geminiKey = "gm-test-key"
    static let arkKey = "ark-test-key"
    static let klingAK = "ak-test-7f3a"
    static let klingSK = "sk-secret-kling-9b1c"
    static let tencentKeys = FakeTencentServer.Credentials()
    static let mjSecret = FakeMidjourneyServer.Setup().secret
    /// Every credential configured; none may appear in a task's error message.
    static let secrets = [openAIKey, geminiKey, arkKey, klingSK, tencentKeys.secretKey, FakeVolcengineServer.secretKey,
                          FakeDashScopeServer.apiKey, FakeViduServer.apiKey, mjSecret]

    /// One task to submit: `engine` is the channel list its model runs on (the task's `engine` metadata), which is
    /// also the key of the fake whose images it must carry.
    struct Case: Sendable {
        var label: String
        var dialect: Dialect = .vod
        var request: ImageRequest
        var engine: String
        /// The expected ErrCodeExt; nil when the task must succeed.
        var failure: String?
    }

    /// What a fake saw, read before it stops.
    struct Report: Sendable {
        /// Wire-format mismatches (expected empty).
        var problems: [String]
        /// Creates / generation calls received.
        var creates: Int
        /// The image files it served or returned, to compare stored outputs against.
        var images: [[UInt8]]
        /// Most calls it had in flight at once (where the fake counts them).
        var maxInFlight = 0
    }

    /// A listening fake.
    struct Started: Sendable {
        var baseURL: String
        var report: @Sendable () async -> Report
    }

    typealias Starter = @Sendable (_ body: @Sendable (Started) async throws -> Void) async throws -> Void

    /// A channel: its upstream configuration (the base URL is set once the fake listens) and how to start its fake
    /// from the Easel task ids (by case label).
    struct Channel: Sendable {
        var upstream: EaselConfiguration.Upstream
        var fake: @Sendable ([String: TaskID]) -> Starter

        init(_ upstream: EaselConfiguration.Upstream, fake: @escaping @Sendable ([String: TaskID]) -> Starter) {
            self.upstream = upstream
            self.fake = fake
        }
    }

    struct Outcome: Sendable {
        var tasks: [String: TaskRecord] = [:]
        /// The bytes of each task's first output, from the blob store.
        var outputs: [String: [UInt8]] = [:]
        /// By channel name.
        var fakes: [String: Report] = [:]
    }

    /// The providers whose jobs are polled (only they take `poll_interval_ms`).
    static let polling: Set = ["jimeng", "dashscope", "hunyuan", "vidu", "kling", "midjourney", "vod", "comfyui"]

    static func upstream(_ name: String, _ provider: String, _ models: [String], apiKey: String? = nil, accessKey: String? = nil,
                         secretKey: String? = nil, region: String? = nil, options: [String: String] = [:],
                         maxAttempts: Int? = nil) -> EaselConfiguration.Upstream {
        EaselConfiguration.Upstream(name: name, provider: provider, baseUrl: "http://127.0.0.1:9", models: models, apiKey: apiKey,
                                    accessKey: accessKey, secretKey: secretKey, region: region,
                                    options: Self.polling.contains(provider)
                                        ? options.merging(["poll_interval_ms": "5"]) { old, _ in old } : options,
                                    timeoutSeconds: 20, maxConcurrency: 8, maxAttempts: maxAttempts)
    }

    /// Submits every case, starts the fakes, runs the dispatcher until every task is terminal, and reads back the
    /// tasks, their outputs and what the fakes saw. The tasks are created first, through a server whose channels
    /// point nowhere, and run by a second server on the same data directory whose channels point at the fakes, as
    /// across a restart: Vidu's body carries Easel's task id (`payload`), which its fake must know when it starts,
    /// while the channels must know the fakes' ports before the server is built.
    static func run(channels: [Channel], cases: [Case]) async throws -> Outcome {
        var configuration = EaselConfiguration()
        configuration.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("easel-e2e-\(UUID().uuidString)").path
        configuration.scheduling.defaultConcurrency = 64
        configuration.scheduling.globalConcurrency = 64
        configuration.upstreams = channels.map(\.upstream)
        defer { try? FileManager.default.removeItem(atPath: configuration.dataDirectory) }
        let runtime = try EaselRuntime(configuration: configuration)
        var logger = Logger(label: "e2e")
        // Cancelling the dispatcher at the end interrupts a claim, which it logs at error level; outcomes are checked
        // on the task records instead.
        logger.logLevel = .critical

        let intake = try EaselServer(configuration: configuration, runtime: runtime, logger: logger, environment: [:])
        var ids: [String: TaskID] = [:]
        do {
            for item in cases {
                ids[item.label] = try await intake.environment.tasks.submit(Submission(tenant: tenant, dialect: item.dialect,
                                                                                       request: item.request)).id
            }
        } catch {
            try await intake.httpClient?.shutdown()
            throw error
        }
        try await intake.httpClient?.shutdown()

        let collected = Collected()
        let taskIds = ids, settings = configuration, quiet = logger
        try await withFakes(channels.map { $0.fake(taskIds) }[...], started: []) { started in
            var live = settings
            live.upstreams = zip(channels, started).map { channel, fake in
                var upstream = channel.upstream
                upstream.baseUrl = fake.baseURL
                return upstream
            }
            let server = try EaselServer(configuration: live, runtime: runtime, logger: quiet, environment: [:])
            do {
                let tasks = try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await server.dispatcher.run() }
                    let tasks = try await withThrowingTaskGroup(of: (String, TaskRecord).self) { waits in
                        for (label, id) in taskIds {
                            waits.addTask {
                                (label, try await server.environment.tasks.waitForCompletion(id: id, tenant: tenant, timeout: .seconds(40)))
                            }
                        }
                        var tasks: [String: TaskRecord] = [:]
                        for try await (label, task) in waits { tasks[label] = task }
                        return tasks
                    }
                    group.cancelAll()
                    return tasks
                }
                var outputs: [String: [UInt8]] = [:]
                for (label, task) in tasks {
                    if let key = task.outputs.first?.blobKey { outputs[label] = try await runtime.blobs.get(key: key) }
                }
                var fakes: [String: Report] = [:]
                for (channel, fake) in zip(channels, started) { fakes[channel.upstream.name] = await fake.report() }
                let outcome = Outcome(tasks: tasks, outputs: outputs, fakes: fakes)
                collected.value.withLock { $0 = outcome }
            } catch {
                try await server.httpClient?.shutdown()
                throw error
            }
            try await server.httpClient?.shutdown()
        }
        return collected.value.withLock { $0 }
    }

    /// Where `run` leaves its outcome.
    private final class Collected: Sendable {
        let value = Mutex(Outcome())
    }

    /// Starts the fakes one inside the other and runs `body` while all of them listen.
    private static func withFakes(_ starters: ArraySlice<Starter>, started: [Started],
                                  _ body: @Sendable ([Started]) async throws -> Void) async throws {
        guard let first = starters.first else { return try await body(started) }
        try await first { fake in try await withFakes(starters.dropFirst(), started: started + [fake], body) }
    }

    // MARK: Fakes

    static func tencent(_ credentials: FakeTencentServer.Credentials, _ script: FakeTencentServer.Script) -> Starter {
        { body in
            try await FakeTencentServer.with(credentials, script: script) { server in
                try await body(Started(baseURL: server.baseURL) {
                    let calls = await server.calls
                    let jobs = Set(calls.compactMap { $0.body?["JobId"]?.lenientString ?? $0.body?["TaskId"]?.lenientString })
                    let creates = calls.filter { ["SubmitTextToImageJob", "CreateAigcImageTask"].contains($0.action) }.count
                    return Report(problems: await server.problems + calls.compactMap(\.signatureError), creates: creates,
                                  images: jobs.sorted().map { FakeTencentServer.image(job: $0, index: 0) })
                })
            }
        }
    }

    static func hunyuanChannel(_ name: String, script: FakeTencentServer.Script) -> Channel {
        Channel(upstream(name, "hunyuan", ["Hunyuan/3.0"], accessKey: tencentKeys.secretId, secretKey: tencentKeys.secretKey)) { _ in
            E2E.tencent(E2E.tencentKeys, script)
        }
    }

    static func vodChannel(_ name: String, _ models: [String],
                           script: FakeTencentServer.Script = .init(polls: [.running(50), .done(images: 1)])) -> Channel {
        let credentials: FakeTencentServer.Credentials = {
            var keys = tencentKeys
            keys.region = nil
            return keys
        }()
        return Channel(upstream(name, "vod", models, accessKey: credentials.secretId, secretKey: credentials.secretKey,
                                options: ["sub_app_id": String(credentials.subAppId)])) { _ in E2E.tencent(credentials, script) }
    }

    /// A started task fake: its report counts the creates, and lists the mismatches with the credentials it
    /// refused; `image` is what it serves for the first result.
    static func started(_ server: some FakeTaskServer, image: [UInt8]) -> Started {
        Started(baseURL: server.baseURL) {
            Report(problems: await server.problems + server.refusals, creates: await server.submits, images: [image])
        }
    }

    static func kling(_ script: FakeKlingServer.Script) -> Starter {
        { body in
            try await FakeKlingServer.with(auth: .jwt(accessKey: klingAK, secretKey: klingSK), script: script) { server in
                try await body(started(server, image: FakeKlingServer.image(0)))
            }
        }
    }

    static func vidu(_ script: FakeViduServer.Script) -> Starter {
        { body in
            try await FakeViduServer.with(script: script) { server in
                try await body(started(server, image: FakeViduServer.image(0)))
            }
        }
    }

    static func jimengChannel(_ name: String, script: FakeVolcengineServer.Script) -> Channel {
        Channel(upstream(name, "jimeng", ["Jimeng/4.0"], accessKey: FakeVolcengineServer.accessKey,
                         secretKey: FakeVolcengineServer.secretKey, region: "cn-north-1")) { _ in
            { body in
                try await FakeVolcengineServer.with(script: script) { server in
                    try await body(started(server, image: FakeVolcengineServer.image(0)))
                }
            }
        }
    }

    static func dashScope(_ script: FakeDashScopeServer.Script) -> Starter {
        { body in
            try await FakeDashScopeServer.with(script: script) { server in
                try await body(started(server, image: FakeDashScopeServer.image(0)))
            }
        }
    }

    static func openAI(_ flavour: FakeOpenAIServer.Flavour, apiKey: String?, reply: FakeOpenAIServer.Reply) -> Starter {
        { body in
            try await FakeOpenAIServer.with(flavour, apiKey: apiKey, reply: reply) { server in
                try await body(Started(baseURL: server.baseURL) {
                    let calls = await server.requests.filter { $0.method == "POST" }
                    // The fake renders each image from the prompt, size and format it was sent.
                    let images = calls.map { call -> [UInt8] in
                        let size = call.field("size")?.lenientString.flatMap { PixelSize(parsing: $0) } ?? PixelSize(width: 1024, height: 1024)
                        let format: ImageFormat = call.field("output_format")?.lenientString == "jpeg" ? .jpeg : .png
                        return SandboxRenderer().render(prompt: call.field("prompt")?.lenientString ?? "", seed: 7, index: 0,
                                                        width: size.width, height: size.height, format: format).bytes
                    }
                    return Report(problems: calls.flatMap(\.problems), creates: calls.count, images: images)
                })
            }
        }
    }

    static func geminiChannel(_ name: String, _ models: [String], model: String, replies: [FakeGeminiServer.Reply] = [.image],
                              maxConcurrency: Int? = nil) -> Channel {
        var configured = upstream(name, "gemini", models, apiKey: geminiKey)
        configured.maxConcurrency = maxConcurrency ?? configured.maxConcurrency
        return Channel(configured) { _ in
            { body in
                let fake = FakeGeminiServer(model: model, apiKey: geminiKey, replies: replies)
                try await fake.run { baseURL in
                    try await body(Started(baseURL: baseURL) {
                        let calls = await fake.calls
                        let images = calls.enumerated().map { index, call in
                            FakeGeminiServer.png(ratio: call.imageConfig["aspectRatio"]?.lenientString ?? "1:1", index: index)
                        }
                        return Report(problems: await fake.violations, creates: calls.count, images: images,
                                      maxInFlight: await fake.maxInFlight)
                    })
                }
            }
        }
    }

    static func arkChannel(_ name: String, _ model: String, model upstreamModel: String,
                           replies: [FakeArkServer.Reply] = [.images]) -> Channel {
        Channel(upstream(name, "ark", [model], apiKey: arkKey)) { _ in
            { body in
                let fake = FakeArkServer(model: upstreamModel, apiKey: arkKey, replies: replies)
                try await fake.run { baseURL in
                    try await body(Started(baseURL: baseURL) {
                        let calls = await fake.calls
                        let images = calls.map { call -> [UInt8] in
                            let size = FakeArkServer.nominalSize(call["size"]?.lenientString ?? "2048x2048")
                            return SandboxRenderer().render(prompt: call["prompt"]?.lenientString ?? "", seed: 11, index: 0,
                                                            width: size.width / 8, height: size.height / 8, format: .png).bytes
                        }
                        return Report(problems: await fake.violations, creates: calls.count, images: images)
                    })
                }
            }
        }
    }

    static func midjourneyChannel(_ name: String, _ models: [String], setup: FakeMidjourneyServer.Setup) -> Channel {
        Channel(upstream(name, "midjourney", models, apiKey: setup.secret)) { _ in
            { body in
                try await FakeMidjourneyServer.with(setup) { fake, baseURL, _ in
                    try await body(Started(baseURL: baseURL) {
                        Report(problems: await fake.violations, creates: await fake.submits.count, images: [fake.grid.bytes])
                    })
                }
            }
        }
    }

    /// ComfyUI's default text-to-image graph in API format.
    static let comfyWorkflow = "{" + comfyDefaultGraphNodes
        + #", "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "Easel", "images": ["8", 0]}}}"#

    static func comfyChannel(_ name: String, _ models: [String], setup: FakeComfyUIServer.Setup) -> Channel {
        let options = ["workflow": comfyWorkflow, "prompt_node": "6.text", "negative_node": "7.text", "seed_node": "3.seed",
                       "width_node": "5.width", "height_node": "5.height", "batch_node": "5.batch_size"]
        return Channel(upstream(name, "comfyui", models, options: options)) { _ in
            { body in
                try await FakeComfyUIServer.with(setup) { fake, baseURL, _ in
                    try await body(Started(baseURL: baseURL) {
                        let prompts = await fake.prompts
                        // The fake renders node 6's text at node 5's size.
                        let images = prompts.map { sent -> [UInt8] in
                            let graph = sent["prompt"], latent = graph?["5"]?["inputs"]
                            return SandboxRenderer().render(prompt: graph?["6"]?["inputs"]?["text"]?.lenientString ?? "", seed: 1, index: 0,
                                                            width: Int(latent?["width"]?.lenientInt ?? 8),
                                                            height: Int(latent?["height"]?.lenientInt ?? 8), format: .png).bytes
                        }
                        return Report(problems: await fake.violations, creates: prompts.count, images: images)
                    })
                }
            }
        }
    }
}
