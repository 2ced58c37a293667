import EaselCore
import Foundation
import Synchronization
import Testing
@testable import EaselEngines

/// HunyuanImageEngine against the fake aiart API (providers.md §6).
@Suite struct HunyuanEngineTests {
    let keys = FakeTencentServer.Credentials()

    private func channel(_ server: FakeTencentServer, _ configure: (inout UpstreamChannel) -> Void = { _ in }) -> UpstreamChannel {
        var channel = UpstreamChannel(name: "hunyuan-test", kind: .hunyuan, baseURL: server.baseURL, accessKey: keys.secretId,
                                      secretKey: keys.secretKey, models: [ModelRoute(name: "Hunyuan", version: "3.0")],
                                      options: ["poll_interval_ms": "5"], timeout: .seconds(40))
        configure(&channel)
        return channel
    }

    private func job(_ server: FakeTencentServer, _ trace: EngineJobLog, resume: String? = nil, inputs: [ResolvedImage] = [],
                     _ configure: (inout ImageRequest) -> Void = { _ in }) -> EngineJob {
        var request = ImageRequest(modelName: "Hunyuan", modelVersion: "3.0", prompt: "雨后的江南小镇")
        configure(&request)
        return EngineJob(taskId: "task-1", request: request, outputSize: PixelSize(width: 1024, height: 768), imageCount: 1,
                         inputs: inputs, resumeToken: resume) { id in
            let queries = await server.count("QueryTextToImageJob")
            trace.checkpoint(id, polls: queries)
        }
    }

    private func generate(_ channel: UpstreamChannel, _ job: EngineJob, _ trace: EngineJobLog,
                          clock: @escaping @Sendable () -> Date = Date.init) async throws -> [GeneratedImage] {
        try await EngineHarness.withLiveHTTP { http in
            try await HunyuanImageEngine(channel: channel, http: http, clock: clock).generate(job) { trace.report($0) }
        }
    }

    private func reference() -> ResolvedImage {
        .rendered(seed: 1, width: 16, height: 16, sourceURL: "https://example.com/ref.jpg")
    }

    @Test func submitsCheckpointsPollsAndDownloads() async throws {
        try await FakeTencentServer.with(keys) { server in
            let trace = EngineJobLog()
            let images = try await generate(channel(server), job(server, trace, inputs: [reference()]) {
                $0.enhancePrompt = false
                $0.seed = 42
            }, trace)
            let calls = await server.calls
            #expect(calls.map(\.action) == ["SubmitTextToImageJob", "QueryTextToImageJob", "QueryTextToImageJob",
                                             "QueryTextToImageJob", "file"])
            #expect(calls[0].body == .object(["Prompt": .string("雨后的江南小镇"), "Images": .array([.string("https://example.com/ref.jpg")]),
                                              "Resolution": .string("1024:768"), "LogoAdd": .int(0), "Revise": .int(0),
                                              "Seed": .int(42)]))
            let jobId = try #require(calls[1].body?["JobId"]?.lenientString)
            #expect(jobId.hasPrefix("1307024053-1789875924-") && jobId.hasSuffix("-0"))
            #expect(trace.checkpoints.withLock { $0.map(\.id) == [jobId] && $0.map(\.pollsBefore) == [0] })
            let authorization = try #require(calls[0].headers["authorization"])
            #expect(authorization.hasPrefix("TC3-HMAC-SHA256 Credential=\(keys.secretId)/")
                    && authorization.contains("/aiart/tc3_request, SignedHeaders=content-type;host, Signature="))
            #expect(calls.dropLast().allSatisfy { $0.headers["x-tc-region"] == "ap-guangzhou" && $0.signatureError == nil })
            #expect(images.count == 1 && images[0].bytes == FakeTencentServer.image(job: jobId, index: 0))
            #expect(images[0].info == ImageInfo(format: .png, width: 64, height: 48))
            let progress = trace.progress.withLock { $0 }
            #expect(progress == progress.sorted() && progress.first == 5 && progress.last == 100)
            #expect(await server.problems.isEmpty)
        }
    }

    @Test func resumeTokenPollsWithoutSubmitting() async throws {
        let existing = "1307024053-1789875924-resumed-0"
        try await FakeTencentServer.with(keys, script: .init(polls: [.running(50), .done(images: 1)], existingJob: existing)) { server in
            let trace = EngineJobLog()
            let images = try await generate(channel(server), job(server, trace, resume: existing), trace)
            #expect(images.count == 1)
            #expect(await server.count("SubmitTextToImageJob") == 0)
            #expect(await server.calls.first?.body == .object(["JobId": .string(existing)]))
            #expect(trace.checkpoints.withLock { $0.isEmpty })
            #expect(await server.problems.isEmpty)
        }
    }

    @Test func panoramaLogoRegionAndDefaults() async throws {
        var shanghai = keys
        shanghai.region = "ap-shanghai"
        try await FakeTencentServer.with(shanghai) { server in
            let trace = EngineJobLog()
            _ = try await generate(channel(server) { $0.region = "ap-shanghai" }, job(server, trace) {
                $0.logoAdd = true
                $0.sceneType = "3d_panorama"
            }, trace)
            let submit = try #require(await server.calls.first)
            #expect(submit.body == .object(["Prompt": .string("雨后的江南小镇" + HunyuanImageEngine.panoramaSuffix),
                                            "Resolution": .string("1440:720"), "LogoAdd": .int(1)]))
            #expect(submit.headers["x-tc-region"] == "ap-shanghai")
            #expect(await server.problems.isEmpty)
        }
    }

    @Test(arguments: [
        ("RequestLimitExceeded.JobNumExceed", "RequestLimitExceeded", true),
        ("RequestLimitExceeded", "RequestLimitExceeded", true),
        ("OperationDenied.TextIllegalDetected", "InvalidParameter.ViolationContent", false),
        ("OperationDenied.ImageIllegalDetected", "InvalidParameter.ViolationContent", false),
        ("InvalidParameterValue.TextLengthExceed", "InvalidParameterValue", false),
        ("FailedOperation.ImageDownloadError", "InvalidParameterValue", false),
        ("ResourceUnavailable.InArrears", "ResourceInsufficient", false),
        ("FailedOperation.InnerError", "InternalError", true),
        ("AuthFailure.UnauthorizedOperation", "InternalError", false),
    ])
    func submitErrorsInHTTP200AreMapped(_ mapping: (upstream: String, expected: String, retryable: Bool)) async throws {
        let (upstream, expected, retryable) = mapping
        let script = FakeTencentServer.Script(submit: .apiError(code: upstream, message: "refused for \(keys.secretId)"))
        try await FakeTencentServer.with(keys, script: script) { server in
            let trace = EngineJobLog()
            let error = await #expect(throws: EngineError.self) { try await generate(channel(server), job(server, trace), trace) }
            #expect(error?.code.rawValue == expected && error?.isRetryable == retryable)
            #expect(error?.message.contains(keys.secretId) == false)
            #expect(await server.count("QueryTextToImageJob") == 0)
            #expect(trace.checkpoints.withLock { $0.isEmpty })
        }
    }

    @Test(arguments: [
        ("OperationDenied.ImageIllegalDetected", "ContentModerationFailed"),
        ("FailedOperation.GenerateImageFailed", "ModelGenerateFailed"),
        ("", "ModelGenerateFailed"),
    ])
    func jobLevelFailuresAreMapped(upstream: String, expected: String) async throws {
        let script = FakeTencentServer.Script(polls: [.running(30), .failed(code: upstream, message: "处理失败")])
        try await FakeTencentServer.with(keys, script: script) { server in
            let trace = EngineJobLog()
            let error = await #expect(throws: EngineError.self) { try await generate(channel(server), job(server, trace), trace) }
            #expect(error?.code.rawValue == expected && error?.isRetryable == false)
            #expect(trace.checkpoints.withLock { $0.count } == 1)
            #expect(await server.count("QueryTextToImageJob") == 2)
        }
    }

    @Test func credentialProblemsBecomeInternalErrorsWithoutSecrets() async throws {
        try await FakeTencentServer.with(keys) { server in
            let variants: [(UpstreamChannel, @Sendable () -> Date, String)] = [
                (channel(server) { $0.accessKey = "AKIDunknownKey0042" }, Date.init, "AuthFailure.SecretIdNotFound"),
                (channel(server) { $0.secretKey = "wrongSecretKey0042" }, Date.init, "AuthFailure.SignatureFailure"),
                (channel(server), { Date().addingTimeInterval(-3600) }, "AuthFailure.SignatureExpire"),
            ]
            for (variant, clock, seen) in variants {
                let trace = EngineJobLog()
                let error = await #expect(throws: EngineError.self) {
                    try await generate(variant, job(server, trace), trace, clock: clock)
                }
                #expect(error?.code == "InternalError" && error?.isRetryable == false)
                #expect(error.map { !$0.message.contains("AKID") && !$0.message.contains("wrongSecretKey") } == true)
                #expect(await server.calls.last?.signatureError == seen)
            }
            #expect(await server.count("QueryTextToImageJob") == 0)
        }
    }

    @Test func transientPollFailuresDoNotLoseTheJob() async throws {
        let polls: [FakeTencentServer.Step] = [.http(502), .malformed, .apiError(code: "RequestLimitExceeded", message: "slow down"),
                                               .running(60), .done(images: 1)]
        try await FakeTencentServer.with(keys, script: .init(polls: polls)) { server in
            let trace = EngineJobLog()
            let images = try await generate(channel(server), job(server, trace), trace)
            #expect(images.count == 1)
            #expect(await server.count("QueryTextToImageJob") == 5)
            #expect(await server.count("SubmitTextToImageJob") == 1)
        }
    }

    @Test(arguments: [(FakeTencentServer.Step.http(503), "InternalError"), (.malformed, "ModelGenerateFailed")])
    func persistentPollFailuresEndTheJob(step: FakeTencentServer.Step, expected: String) async throws {
        try await FakeTencentServer.with(keys, script: .init(polls: [step])) { server in
            let trace = EngineJobLog()
            let error = await #expect(throws: EngineError.self) { try await generate(channel(server), job(server, trace), trace) }
            #expect(error?.code.rawValue == expected && error?.isRetryable == true)
            #expect(await server.count("QueryTextToImageJob") == 4)
        }
    }

    @Test func submitFailuresOutsideTheEnvelope() async throws {
        for (step, expected) in [(FakeTencentServer.Step.http(500), "InternalError"), (.malformed, "ModelGenerateFailed")] {
            try await FakeTencentServer.with(keys, script: .init(submit: step)) { server in
                let trace = EngineJobLog()
                let error = await #expect(throws: EngineError.self) { try await generate(channel(server), job(server, trace), trace) }
                #expect(error?.code.rawValue == expected && error?.isRetryable == true)
                #expect(trace.checkpoints.withLock { $0.isEmpty })
            }
        }
    }

    @Test func deadlineGivesTaskTimeout() async throws {
        try await FakeTencentServer.with(keys, script: .init(polls: [.running(10)])) { server in
            let trace = EngineJobLog()
            let error = await #expect(throws: EngineError.self) {
                try await generate(channel(server) { $0.timeout = .seconds(8) }, job(server, trace), trace)
            }
            #expect(error?.code == "TaskTimeout" && error?.isRetryable == true)
            #expect(trace.checkpoints.withLock { $0.count } == 1)
        }
    }

    @Test func cancellationStopsPolling() async throws {
        try await FakeTencentServer.with(keys, script: .init(polls: [.running(10)])) { server in
            let trace = EngineJobLog()
            let config = channel(server), work = job(server, trace)
            let running = Task { try await generate(config, work, trace) }
            for _ in 0..<1000 where await server.count("QueryTextToImageJob") < 2 { try await Task.sleep(for: .milliseconds(5)) }
            running.cancel()
            await #expect(throws: CancellationError.self) { try await running.value }
            let polls = await server.count("QueryTextToImageJob")
            try await Task.sleep(for: .milliseconds(100))
            #expect(await server.count("QueryTextToImageJob") == polls)
        }
    }

    @Test func resultsThatAreNoImagesAreRefused() async throws {
        try await FakeTencentServer.with(keys, script: .init(polls: [.corruptImage])) { server in
            let trace = EngineJobLog()
            let error = await #expect(throws: EngineError.self) { try await generate(channel(server), job(server, trace), trace) }
            #expect(error?.code == "ModelGenerateFailed")
        }
    }

    @Test func refusesWhatTheUpstreamCannotTakeBeforeCalling() async throws {
        try await FakeTencentServer.with(keys) { server in
            let trace = EngineJobLog()
            var inline = reference()
            inline.sourceURL = nil
            for job in [job(server, trace, inputs: [reference(), inline]), job(server, trace) { $0.prompt = " " }] {
                let error = await #expect(throws: EngineError.self) { try await generate(channel(server), job, trace) }
                #expect(error?.code == "InvalidParameterValue")
            }
            let error = await #expect(throws: EngineError.self) {
                try await generate(channel(server) { $0.secretKey = nil }, job(server, trace), trace)
            }
            #expect(error?.code == "InternalError" && error?.isRetryable == false)
            #expect(await server.calls.isEmpty)
        }
    }
}
