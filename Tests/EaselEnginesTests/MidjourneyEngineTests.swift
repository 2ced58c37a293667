import EaselCore
@testable import EaselEngines
import Foundation
import Testing

/// Collects what an engine reports, in order.
private actor MJRecorder {
    var values: [String] = []
    func add(_ value: String) { values.append(value) }
}

private let secret = "mj-secret-0123"

private func mjChannel(_ base: String, apiKey: String = secret, timeout: Duration = .seconds(20),
                       options: [String: String] = [:]) -> UpstreamChannel {
    UpstreamChannel(name: "mj-test", kind: .midjourney, baseURL: base, apiKey: apiKey,
                    models: [ModelRoute(name: "MJ", version: "v7")],
                    options: ["poll_interval_ms": "5"].merging(options) { $1 }, timeout: timeout)
}

private func mjJob(_ prompt: String = "a cat in a garden", size: PixelSize = PixelSize(width: 1024, height: 1024),
                   inputs: [ResolvedImage] = [], resume: String? = nil,
                   checkpoint: @escaping @Sendable (String) async -> Void = { _ in }) -> EngineJob {
    EngineJob(taskId: "251007502-AigcImageTask-mj1", request: ImageRequest(modelName: "MJ", modelVersion: "v7", prompt: prompt),
              outputSize: size, imageCount: 1, inputs: inputs, resumeToken: resume, checkpoint: checkpoint)
}

@Suite struct MidjourneyEngineTests {
    @Test func submitsChecksPointsPollsAndDownloadsTheGrid() async throws {
        let ref = SandboxRenderer().render(prompt: "ref", seed: 1, index: 0, width: 32, height: 24, format: .png)
        let input = ResolvedImage(bytes: ref.bytes, info: ref.info, sourceURL: "https://example.com/ref.png")
        try await FakeMidjourneyServer.with { fake, base, http in
            let engine = try MidjourneyProxyEngine(channel: mjChannel(base), http: http)
            var job = mjJob(inputs: [input]) { id in await fake.note("checkpoint \(id)") }
            job.request.negativePrompt = "text, blur"
            job.request.seed = 123
            job.request.aspectRatio = "16:9"
            let progress = MJRecorder()
            let images = try await engine.generate(job) { await progress.add(String($0)) }

            #expect(images.count == 1)
            #expect(images.first?.bytes == fake.grid.bytes)
            #expect(images.first?.info == ImageInfo(format: .png, width: 96, height: 64))
            let body = try #require(await fake.submits.first)
            #expect(body["prompt"] == .string("a cat in a garden --v 7 --ar 16:9 --seed 123 --no text, blur"))
            #expect(body["base64Array"] == .array([.string(input.dataURL)]))
            #expect(body["state"] == .string(job.taskId.rawValue))
            #expect(body.objectValue?.count == 3)
            let id = "1712205491373"
            #expect(await fake.events == ["submit", "checkpoint \(id)"] + Array(repeating: "fetch \(id)", count: 6) + ["grid true"])
            #expect(await progress.values == ["0", "25", "75", "100"])
            #expect(await fake.violations.isEmpty)
        }
    }

    @Test func buildsThePromptParameters() {
        var job = mjJob("a fox\nin snow --v 6 --stylize 50", size: PixelSize(width: 1344, height: 768))
        job.request.negativePrompt = "text --ar 1:1"
        job.request.seed = -1
        #expect(MidjourneyProxyEngine.prompt(for: job)
            == "a fox in snow --stylize 50 --v 7 --ar 7:4 --seed 4294967295 --no text ar 1:1")
        job.request.prompt = "poster --ar 2:3 --seed 9"
        job.request.negativePrompt = nil
        #expect(MidjourneyProxyEngine.prompt(for: job) == "poster --ar 2:3 --seed 9 --v 7")
        job.request.prompt = nil
        job.request.aspectRatio = "9:16"
        #expect(MidjourneyProxyEngine.prompt(for: job) == "--v 7 --ar 9:16 --seed 4294967295")
    }

    @Test func resumesWithoutSubmitting() async throws {
        var setup = FakeMidjourneyServer.Setup()
        setup.existingJobs = ["job-77"]
        try await FakeMidjourneyServer.with(setup) { fake, base, http in
            let engine = try MidjourneyProxyEngine(channel: mjChannel(base), http: http)
            let images = try await engine.generate(mjJob(resume: "job-77") { _ in await fake.note("checkpoint") }) { _ in }
            #expect(images.count == 1)
            let events = await fake.events
            #expect(!events.contains("submit") && !events.contains("checkpoint"))
            #expect(events.first == "fetch job-77")
        }
    }

    @Test(arguments: [21, 22])
    func acceptsExistingAndQueuedJobs(code: Int) async throws {
        var setup = FakeMidjourneyServer.Setup()
        setup.submit = .accept(code: code)
        try await FakeMidjourneyServer.with(setup) { fake, base, http in
            let images = try await MidjourneyProxyEngine(channel: mjChannel(base), http: http).generate(mjJob()) { _ in }
            #expect(images.count == 1)
            #expect(await fake.violations.isEmpty)
        }
    }

    @Test(arguments: [(24, "InvalidParameter.ViolationContent", false), (23, "RequestLimitExceeded", true),
                      (4, "InvalidParameterValue", false), (9, "InternalError", true), (3, "InternalError", false)])
    func mapsSubmitCodesInHTTP200(code: Int, expected: String, retryable: Bool) async throws {
        var setup = FakeMidjourneyServer.Setup()
        setup.submit = .refuse(code: code, description: "参数错误: prompt too long")
        try await FakeMidjourneyServer.with(setup) { fake, base, http in
            let engine = try MidjourneyProxyEngine(channel: mjChannel(base), http: http)
            let error = await EngineHarness.engineError { _ = try await engine.generate(mjJob { _ in await fake.note("checkpoint") }) { _ in } }
            #expect(error?.code.rawValue == expected)
            #expect(error?.isRetryable == retryable)
            if code == 4 { #expect(error?.message.contains("prompt too long") == true) }
            #expect(await fake.events == ["submit"])
        }
    }

    @Test func mapsTransportFailures() async throws {
        try await FakeMidjourneyServer.with { fake, base, http in
            let wrongKey = try MidjourneyProxyEngine(channel: mjChannel(base, apiKey: "wrong-secret-42"), http: http)
            let error = await EngineHarness.engineError { _ = try await wrongKey.generate(mjJob()) { _ in } }
            #expect(error?.code == "InternalError" && error?.isRetryable == false)
            #expect(error.map { !$0.description.contains("wrong-secret-42") } == true)
        }
        for (answer, code, retryable) in [(FakeMidjourneyServer.SubmitAnswer.http(502), "InternalError", true),
                                          (.http(429), "RequestLimitExceeded", true), (.malformed, "ModelGenerateFailed", true)] {
            var setup = FakeMidjourneyServer.Setup()
            setup.submit = answer
            try await FakeMidjourneyServer.with(setup) { _, base, http in
                let error = await EngineHarness.engineError { _ = try await MidjourneyProxyEngine(channel: mjChannel(base), http: http).generate(mjJob()) { _ in } }
                #expect(error?.code.rawValue == code && error?.isRetryable == retryable)
            }
        }
    }

    @Test(arguments: [(FakeMidjourneyServer.Plan.fail("Banned prompt detected: gore"), "InvalidParameter.ViolationContent"),
                      (.fail("Invalid parameter: Unrecognized parameter(s): `--foo`"), "InvalidParameterValue"),
                      (.fail("Discord gateway closed"), "ModelGenerateFailed"), (.cancel, "ModelGenerateFailed")])
    func mapsJobFailures(plan: FakeMidjourneyServer.Plan, expected: String) async throws {
        var setup = FakeMidjourneyServer.Setup()
        setup.plan = plan
        try await FakeMidjourneyServer.with(setup) { _, base, http in
            let error = await EngineHarness.engineError { _ = try await MidjourneyProxyEngine(channel: mjChannel(base), http: http).generate(mjJob()) { _ in } }
            #expect(error?.code.rawValue == expected)
            #expect(error?.isRetryable == false)
            if case .fail(let reason) = plan, expected == "ModelGenerateFailed" { #expect(error?.message.contains(reason) == true) }
        }
    }

    @Test func ridesOutPollHiccupsButNotEndlessGarbage() async throws {
        var setup = FakeMidjourneyServer.Setup()
        setup.fetchHiccups = 3
        try await FakeMidjourneyServer.with(setup) { _, base, http in
            let images = try await MidjourneyProxyEngine(channel: mjChannel(base), http: http).generate(mjJob()) { _ in }
            #expect(images.count == 1)
        }
        setup = FakeMidjourneyServer.Setup()
        setup.malformedFetch = true
        try await FakeMidjourneyServer.with(setup) { fake, base, http in
            let error = await EngineHarness.engineError { _ = try await MidjourneyProxyEngine(channel: mjChannel(base), http: http).generate(mjJob()) { _ in } }
            #expect(error?.code == "ModelGenerateFailed" && error?.isRetryable == true)
            #expect(await fake.events.filter { $0.hasPrefix("fetch") }.count == 4)
        }
    }

    @Test func keepsTheSecretFromOtherOriginsAndChecksTheBytes() async throws {
        var setup = FakeMidjourneyServer.Setup()
        setup.imageOnOtherOrigin = true
        try await FakeMidjourneyServer.with(setup) { fake, base, http in
            _ = try await MidjourneyProxyEngine(channel: mjChannel(base), http: http).generate(mjJob()) { _ in }
            #expect(await fake.events.last == "grid false")
        }
        setup = FakeMidjourneyServer.Setup()
        setup.gridIsHTML = true
        try await FakeMidjourneyServer.with(setup) { _, base, http in
            let error = await EngineHarness.engineError { _ = try await MidjourneyProxyEngine(channel: mjChannel(base), http: http).generate(mjJob()) { _ in } }
            #expect(error?.code == "ModelGenerateFailed")
        }
    }

    @Test func speaksBearerToRelays() async throws {
        var setup = FakeMidjourneyServer.Setup()
        setup.bearer = true
        try await FakeMidjourneyServer.with(setup) { fake, base, http in
            let engine = try MidjourneyProxyEngine(channel: mjChannel(base, options: ["auth": "bearer"]), http: http)
            let images = try await engine.generate(mjJob()) { _ in }
            #expect(images.count == 1)
            #expect(await fake.violations.isEmpty)
        }
    }

    @Test func timesOutAndHonoursCancellation() async throws {
        var setup = FakeMidjourneyServer.Setup()
        setup.plan = .stall
        try await FakeMidjourneyServer.with(setup) { fake, base, http in
            try await EngineHarness.expectTimeoutAndCancellation(
                quick: try MidjourneyProxyEngine(channel: mjChannel(base, timeout: .seconds(8)), http: http),
                engine: try MidjourneyProxyEngine(channel: mjChannel(base), http: http), job: mjJob(),
                events: { await fake.events.count }, more: 4)
        }
    }

    @Test func failsOnAJobTheProxyForgot() async throws {
        try await FakeMidjourneyServer.with { _, base, http in
            let engine = try MidjourneyProxyEngine(channel: mjChannel(base), http: http)
            let error = await EngineHarness.engineError { _ = try await engine.generate(mjJob(resume: "1700000000000")) { _ in } }
            #expect(error?.code == "InternalError" && error?.isRetryable == false)
            let hostile = await EngineHarness.engineError { _ = try await engine.generate(mjJob(resume: "../../admin")) { _ in } }
            #expect(hostile?.code == "ModelGenerateFailed")
        }
    }

    @Test func refusesSeveralImages() throws {
        let engine = try MidjourneyProxyEngine(channel: mjChannel("http://127.0.0.1:1"), http: UpstreamHTTP { _ in UpstreamResponse(status: 500) })
        var request = ImageRequest(modelName: "MJ", modelVersion: "v7", prompt: "x")
        #expect(engine.unsupportedReason(for: request) == nil)
        request.outputImageCount = 4
        #expect(engine.unsupportedReason(for: request) != nil)
    }
}
