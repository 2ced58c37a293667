import EaselCore
import Foundation
import Synchronization
import Testing
@testable import EaselEngines

/// VODPassthroughEngine against the fake VOD API 3.0 and reseller REST proxy (providers.md §10).
@Suite struct VODPassthroughEngineTests {
    let keys: FakeTencentServer.Credentials = {
        var keys = FakeTencentServer.Credentials()
        keys.region = nil
        return keys
    }()

    private func channel(_ server: FakeTencentServer, rest: Bool = false,
                         _ configure: (inout UpstreamChannel) -> Void = { _ in }) -> UpstreamChannel {
        var options = ["poll_interval_ms": "5"]
        if rest { options["mode"] = "rest" } else { options["sub_app_id"] = String(keys.subAppId) }
        var channel = UpstreamChannel(name: "vod-test", kind: .vod, baseURL: server.baseURL, apiKey: rest ? keys.apiKey : nil,
                                      accessKey: rest ? nil : keys.secretId, secretKey: rest ? nil : keys.secretKey,
                                      models: [ModelRoute(name: "GG", version: "2.5", upstreamModel: "GEM/3.0"),
                                               ModelRoute(name: "Kling", version: "2.1")],
                                      // Generous: no test here is about the deadline, and the whole suite shares two cores.
                                      options: options, timeout: .seconds(60))
        configure(&channel)
        return channel
    }

    private func job(_ server: FakeTencentServer, _ trace: EngineJobLog, model: String = "Kling", version: String = "2.1",
                     count: Int = 1, resume: String? = nil, inputs: [ResolvedImage] = [],
                     _ configure: (inout ImageRequest) -> Void = { _ in }) -> EngineJob {
        var request = ImageRequest(modelName: model, modelVersion: version, prompt: "一只猫 a cat")
        configure(&request)
        return EngineJob(taskId: "task-1", request: request, outputSize: PixelSize(width: 1024, height: 1024), imageCount: count,
                         inputs: inputs, resumeToken: resume) { id in
            let polls = await server.count("DescribeTaskDetail") + server.count("rest-query")
            trace.checkpoint(id, polls: polls)
        }
    }

    private func generate(_ channel: UpstreamChannel, _ job: EngineJob, _ trace: EngineJobLog) async throws -> [GeneratedImage] {
        try await EngineHarness.withLiveHTTP { http in
            try await VODPassthroughEngine(channel: channel, http: http).generate(job) { trace.report($0) }
        }
    }

    private func reference(url: String? = "https://example.com/ref.png") -> ResolvedImage {
        .rendered(seed: 1, width: 16, height: 16, sourceURL: url, text: "参考图")
    }

    @Test func createsCheckpointsDescribesAndDownloads() async throws {
        try await FakeTencentServer.with(keys, script: .init(polls: [.waiting, .running(50), .done(images: 2)])) { server in
            let trace = EngineJobLog()
            let images = try await generate(channel(server), job(server, trace, model: "GG", version: "2.5", count: 2,
                                                                 inputs: [reference()]) {
                $0.negativePrompt = "blur"
                $0.enhancePrompt = true
                $0.resolution = "2K"
                $0.aspectRatio = "16:9"
                $0.personGeneration = "AllowAdult"
                $0.inputComplianceCheck = true
                $0.outputFormat = "png"
                $0.logoAdd = false
                $0.seed = 123
                $0.extInfo = "myextinfo"
            }, trace)
            let calls = await server.calls
            #expect(calls.map(\.action) == ["CreateAigcImageTask", "DescribeTaskDetail", "DescribeTaskDetail",
                                             "DescribeTaskDetail", "file", "file"])
            let output: [String: JSONValue] = [
                "StorageMode": .string("Temporary"), "Resolution": .string("2K"), "AspectRatio": .string("16:9"),
                "PersonGeneration": .string("AllowAdult"), "InputComplianceCheck": .string("Enabled"),
                "OutputImageCount": .int(2), "OutputFormat": .string("png"), "LogoAdd": .string("Disabled"),
            ]
            #expect(calls[0].body == .object([
                "SubAppId": .int(keys.subAppId), "ModelName": .string("GEM"), "ModelVersion": .string("3.0"),
                "Prompt": .string("一只猫 a cat"), "NegativePrompt": .string("blur"), "EnhancePrompt": .string("Enabled"),
                "FileInfos": .array([.object(["Type": .string("Url"), "Url": .string("https://example.com/ref.png"),
                                              "Text": .string("参考图")])]),
                "OutputConfig": .object(output), "Seed": .int(123), "ExtInfo": .string("myextinfo"),
            ]))
            let taskId = try #require(trace.checkpoints.withLock { $0.first?.id })
            #expect(taskId.hasPrefix("\(keys.subAppId)-AigcImageTask-") && taskId.hasSuffix("t"))
            #expect(trace.checkpoints.withLock { $0.map(\.pollsBefore) } == [0])
            #expect(calls[1].body == .object(["TaskId": .string(taskId), "SubAppId": .int(keys.subAppId)]))
            #expect(calls.dropLast(2).allSatisfy { call in
                call.signatureError == nil && call.headers["x-tc-region"] == nil && call.headers["x-tc-version"] == "2018-07-17"
                    && call.headers["authorization"]?.contains("/vod/tc3_request, SignedHeaders=content-type;host,") == true
            })
            #expect(images.map(\.bytes) == [FakeTencentServer.image(job: taskId, index: 0), FakeTencentServer.image(job: taskId, index: 1)])
            let progress = trace.progress.withLock { $0 }
            #expect(progress == progress.sorted() && progress.contains(50) && progress.last == 100)
            #expect(await server.problems.isEmpty)
        }
    }

    @Test func resumeTokenDescribesWithoutCreating() async throws {
        let existing = "\(keys.subAppId)-AigcImageTask-0123456789abcdef0123456789abcdeft"
        try await FakeTencentServer.with(keys, script: .init(polls: [.done(images: 1)], existingJob: existing)) { server in
            let trace = EngineJobLog()
            let images = try await generate(channel(server), job(server, trace, resume: existing), trace)
            #expect(images.count == 1)
            #expect(await server.count("CreateAigcImageTask") == 0)
            #expect(trace.checkpoints.withLock { $0.isEmpty })
            #expect(await server.problems.isEmpty)
        }
        try await FakeTencentServer.with(keys) { server in
            let trace = EngineJobLog()
            let error = await #expect(throws: EngineError.self) {
                try await generate(channel(server), job(server, trace, resume: existing), trace)
            }
            #expect(error?.code == "InternalError" && error?.isRetryable == false)
        }
    }

    @Test(arguments: [("InvalidParameter.VoilationContent", false), ("RequestLimitExceeded", true),
                      ("ContentModerationFailed", false), ("TaskTimeout", true)])
    func failedTasksKeepErrCodeExtAndMessage(errCodeExt: String, retryable: Bool) async throws {
        let message = "task refused (account \(keys.secretId), key \(keys.secretKey))"
        let script = FakeTencentServer.Script(polls: [.running(20), .failed(code: errCodeExt, message: message)])
        try await FakeTencentServer.with(keys, script: script) { server in
            let trace = EngineJobLog()
            let error = await #expect(throws: EngineError.self) { try await generate(channel(server), job(server, trace), trace) }
            #expect(error?.code.rawValue == errCodeExt && error?.isRetryable == retryable)
            #expect(error?.message == "task refused (account ***, key ***)")
        }
    }

    @Test func abortedTasksAreCanceled() async throws {
        try await FakeTencentServer.with(keys, script: .init(polls: [.waiting, .aborted])) { server in
            let trace = EngineJobLog()
            let error = await #expect(throws: EngineError.self) { try await generate(channel(server), job(server, trace), trace) }
            #expect(error?.code == "OperationCanceled" && error?.isRetryable == false)
        }
    }

    @Test(arguments: [("InvalidParameterValue.SubAppId", "InternalError", false), ("FailedOperation.InvalidVodUser", "InternalError", false),
                      ("RequestLimitExceeded", "RequestLimitExceeded", true), ("LimitExceeded.Quota", "ResourceInsufficient", false),
                      ("InvalidParameterValue.SessionId", "InvalidParameterValue", false), ("InternalError", "InternalError", true)])
    func createErrorsAreMapped(_ mapping: (upstream: String, expected: String, retryable: Bool)) async throws {
        let script = FakeTencentServer.Script(submit: .apiError(code: mapping.upstream, message: "no (\(keys.secretId))"))
        try await FakeTencentServer.with(keys, script: script) { server in
            let trace = EngineJobLog()
            let error = await #expect(throws: EngineError.self) { try await generate(channel(server), job(server, trace), trace) }
            #expect(error?.code.rawValue == mapping.expected && error?.isRetryable == mapping.retryable)
            #expect(error?.message.contains(keys.secretId) == false)
            #expect(trace.checkpoints.withLock { $0.isEmpty })
        }
    }

    @Test func refusesInputsAndConfigurationItCannotForward() async throws {
        try await FakeTencentServer.with(keys) { server in
            let trace = EngineJobLog()
            let error = await #expect(throws: EngineError.self) {
                try await generate(channel(server), job(server, trace, inputs: [reference(), reference(url: nil)]), trace)
            }
            #expect(error?.code == "InvalidParameterValue" && error?.message.contains("FileInfos.1") == true)
            for broken in [channel(server) { $0.options["sub_app_id"] = nil }, channel(server, rest: true) { $0.apiKey = nil }] {
                let error = await #expect(throws: EngineError.self) { try await generate(broken, job(server, trace), trace) }
                #expect(error?.code == "InternalError" && error?.isRetryable == false)
            }
            #expect(await server.calls.isEmpty)
        }
    }

    @Test func restProxyModeSpeaksSnakeCaseWithBearer() async throws {
        let polls: [FakeTencentServer.Step] = [.apiError(code: "RequestLimitExceeded", message: "slow"), .running(70), .done(images: 1)]
        try await FakeTencentServer.with(keys, script: .init(polls: polls)) { server in
            let trace = EngineJobLog()
            let images = try await generate(channel(server, rest: true), job(server, trace) {
                $0.aspectRatio = "1:1"
                $0.personGeneration = "Disallowed"
                $0.outputImageCount = 1
                $0.sceneType = "image_expand"
            }, trace)
            let calls = await server.calls
            #expect(calls.map(\.action) == ["rest-create", "rest-query", "rest-query", "rest-query", "file"])
            #expect(calls[0].body == .object([
                "model_name": .string("Kling"), "model_version": .string("2.1"), "prompt": .string("一只猫 a cat"),
                "output_config": .object(["storage_mode": .string("Temporary"), "aspect_ratio": .string("1:1"),
                                          "person_generation": .string("Disallowed"), "output_image_count": .int(1)]),
                "scene_type": .string("image_expand"),
            ]))
            #expect(calls.dropLast().allSatisfy { $0.headers["authorization"] == "Bearer \(keys.apiKey)" })
            #expect(trace.checkpoints.withLock { $0.map(\.pollsBefore) } == [0])
            #expect(images.count == 1)
            #expect(await server.problems.isEmpty)
        }
    }

    @Test func restProxyRefusalsNeverShowTheKey() async throws {
        try await FakeTencentServer.with(keys) { server in
            let trace = EngineJobLog()
            let error = await #expect(throws: EngineError.self) {
                try await generate(channel(server, rest: true) { $0.apiKey = "sk-wrong-key-0042" }, job(server, trace), trace)
            }
            #expect(error?.code == "InternalError" && error?.isRetryable == false)
            #expect(error?.message.contains("sk-wrong") == false)
        }
    }

    @Test func fakeRulesCatchWrongFields() {
        let aiart = TencentFakeRules.submitTextToImageJob(["Resolution": .string("2048:2048"), "LogoAdd": .string("0"),
                                                           "Images": .array([.string("ftp://x")]), "Style": .string("x")])
        #expect(aiart.count == 5, "\(aiart)")
        let vod = TencentFakeRules.createAigcImageTask([
            "SubAppId": .string("251007502"), "ModelName": .string("GG"), "EnhancePrompt": .bool(true),
            "FileInfos": .array([.object(["Type": .string("Url")])]),
            "OutputConfig": .object(["StorageMode": .string("temporary"), "OutputImageCount": .string("2")]),
        ], subAppId: keys.subAppId)
        #expect(vod.count == 6, "\(vod)")
    }
}
