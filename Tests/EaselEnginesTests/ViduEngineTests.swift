import EaselCore
import Foundation
import Testing
@testable import EaselEngines

private typealias Script = FakeViduServer.Script

private let girl = "the girl in image 1 riding a bike"

private func request(_ prompt: String? = girl, edit: (inout ImageRequest) -> Void = { _ in }) -> ImageRequest {
    .edited("Vidu", "q2", prompt: prompt, edit)
}

private func reference(_ index: Int, url: String? = nil) -> ResolvedImage {
    .rendered(seed: 5, index: index, width: 160, height: 128, sourceURL: url, referenceType: "subject-1")
}

private let taskId: TaskID = "251007502-AigcImageTask-v1"
private let minimal = json(#"{"model":"viduq2","prompt":"\#(girl)","payload":"\#(taskId)"}"#)

private func run(_ script: Script, _ imageRequest: ImageRequest, inputs: [ResolvedImage] = [], resumeToken: String? = nil,
                 apiKey: String? = FakeViduServer.apiKey, timeout: Duration = .seconds(20),
                 cancelAfter: Duration? = nil) async throws -> EngineRun<FakeTaskMemory<Script>> {
    try await EngineHarness.withLiveHTTP { http in
        try await FakeViduServer.with(script: script) { server in
            let channel = UpstreamChannel(name: "vidu-test", kind: .vidu, baseURL: server.baseURL, apiKey: apiKey,
                                          models: [ModelRoute(name: "Vidu", version: "q2")],
                                          options: ["poll_interval_ms": "20"], timeout: timeout)
            let job = EngineJob(taskId: taskId, request: imageRequest, outputSize: PixelSize(width: 1920, height: 1080),
                                imageCount: 1, inputs: inputs, resumeToken: resumeToken)
            return try await EngineHarness.run(try ViduImageEngine(channel: channel, http: http), job,
                                               cancelAfter: cancelAfter, polls: { await server.polls.count }) { await server.memory }
        }
    }
}

private let pollPath = "/ent/v2/tasks/\(FakeViduServer.taskId)/creations"

@Suite struct ViduEngineTests {
    @Test func referencesSubmitCheckpointPollAndDownload() async throws {
        let refs = [reference(0, url: "https://example.com/a.png"), reference(1)]
        let expected = json(#"""
            {"model":"viduq2","prompt":"\#(girl)","images":["https://example.com/a.png","\#(refs[1].dataURL)"],
             "aspect_ratio":"16:9","resolution":"2K","seed":42,"payload":"\#(taskId)"}
            """#)
        let run = try await run(Script(body: expected, creations: 2), request {
            $0.aspectRatio = "16:9"; $0.resolution = "2K"; $0.seed = 42
        }, inputs: refs)
        #expect(run.error == nil && run.otherError == nil && run.problems == [])
        #expect(refs[1].dataURL.hasPrefix("data:image/png;base64,"))
        let downloaded = run.images.map(\.bytes) == [FakeViduServer.image(0), FakeViduServer.image(1)]
        #expect(downloaded)
        #expect(run.images.first?.info == ImageInfo(format: .png, width: 48, height: 64))
        #expect(run.submits == 1 && run.polls == Array(repeating: pollPath, count: 4))
        #expect(run.checkpoints == [FakeViduServer.taskId] && run.pollsAtCheckpoint == [0])
        #expect(run.progress.first == 10 && run.progress == run.progress.sorted() && run.progress.count == 4)
        #expect((run.progress.last ?? 100) <= 90)
    }

    @Test func textOnlyOmitsImagesAndLowercases1080p() async throws {
        let expected = json(#"""
            {"model":"viduq2","prompt":"\#(girl)","resolution":"1080p","payload":"\#(taskId)"}
            """#)
        let run = try await run(Script(body: expected, play: .init(pollsBeforeDone: 0)), request { $0.resolution = "1080P" })
        #expect(run.problems == [] && run.images.count == 1 && run.polls.count == 1)
    }

    @Test func visibleLogoTakesTheWatermarkedCreation() async throws {
        let run = try await run(Script(body: minimal), request { $0.logoAdd = true })
        let watermarked = run.images.map(\.bytes) == [FakeViduServer.image(0, watermarked: true)]
        #expect(run.problems == [] && watermarked)
    }

    @Test func resumeTokenPollsTheRecordedTaskWithoutSubmitting() async throws {
        let run = try await run(Script(body: .null, play: .init(pollsBeforeDone: 1, existingTask: true)), request(),
                                resumeToken: FakeViduServer.taskId)
        #expect(run.submits == 0 && run.checkpoints == [] && run.problems == [])
        #expect(run.polls == [pollPath, pollPath] && run.images.first?.bytes == FakeViduServer.image(0))
    }

    @Test(arguments: [("CreationPolicyViolation", "ContentModerationFailed"),
                      ("TaskPromptPolicyViolation", "InvalidParameter.ViolationContent"),
                      ("ImageDownloadFailure", "InvalidParameterValue"), ("", "ModelGenerateFailed")])
    func taskFailuresInHTTP200(errCode: String, code: String) async throws {
        let run = try await run(Script(body: minimal, play: .init(outcome: .failed(errCode))), request())
        #expect(run.error?.code.rawValue == code && run.error?.isRetryable == false && run.images.isEmpty && run.problems == [])
    }

    static let submitFailures: [(FakeViduServer.Reply, String, Bool, Duration?)] = [
        (FakeViduServer.error(400, "CreditInsufficient", "insufficient credits"), "ResourceInsufficient", false, nil),
        (FakeViduServer.error(400, "TaskPromptPolicyViolation", "prompt violates policy"),
         "InvalidParameter.ViolationContent", false, nil),
        (FakeViduServer.error(400, "FieldInvalid", "aspect_ratio is invalid"), "InvalidParameterValue", false, nil),
        (FakeViduServer.error(429, "QuotaExceeded", "concurrency quota exceeded", headers: ["Retry-After": "7"]),
         "RequestLimitExceeded", true, .seconds(7)),
        (FakeViduServer.error(401, "Unauthorized", "invalid token"), "InternalError", false, nil),
        (FakeViduServer.error(500, "InternalServiceFailure", "internal failure"), "InternalError", true, nil),
        (FakeViduServer.Reply(status: 503, body: "upstream connect error"), "InternalError", true, nil),
        (FakeViduServer.Reply(status: 200, body: "<html>ok</html>"), "ModelGenerateFailed", true, nil),
        (FakeViduServer.Reply(status: 200, body: #"{"state":"created"}"#), "ModelGenerateFailed", true, nil),
    ]

    @Test(arguments: submitFailures)
    func submitErrorsAreClassified(reply: FakeViduServer.Reply, code: String, retryable: Bool,
                                   retryAfter: Duration?) async throws {
        let run = try await run(Script(body: minimal, submitReply: reply), request())
        #expect(run.error?.code.rawValue == code && run.error?.isRetryable == retryable && run.error?.retryAfter == retryAfter)
        #expect(run.polls == [] && run.checkpoints == [] && run.problems == [])
        #expect(run.error?.message.contains(FakeViduServer.apiKey) == false)
        if code == "InvalidParameterValue" { #expect(run.error?.message.contains("aspect_ratio is invalid") == true) }
    }

    @Test func transientPollFailuresAreRetried() async throws {
        let script = Script(body: minimal, play: .init(pollReplies: [
            FakeViduServer.error(500, "InternalServiceFailure", "oops"),
            FakeViduServer.error(429, "SystemThrottling", "slow down", headers: ["Retry-After": "0"]),
        ]))
        let run = try await run(script, request())
        #expect(run.error == nil && run.images.count == 1 && run.polls.count == 6)
    }

    @Test func malformedPollAnswerFails() async throws {
        let run = try await run(Script(body: minimal, play: .init(pollsBeforeDone: 0, outcome: .noState)), request())
        #expect(run.error?.code == "ModelGenerateFailed" && run.polls.count == 1)
    }

    @Test func deadlineEndsPollingWithTaskTimeout() async throws {
        let run = try await run(Script(body: minimal, play: .init(outcome: .never)), request(), timeout: .seconds(8))
        #expect(run.error?.code == "TaskTimeout" && run.error?.isRetryable == true && run.checkpoints.count == 1)
    }

    @Test func cancellationStopsPolling() async throws {
        let run = try await run(Script(body: minimal, play: .init(outcome: .never)), request(), cancelAfter: .seconds(1))
        #expect(run.otherError == "CancellationError" && run.checkpoints.count == 1)
    }

    @Test func invalidRequestsFailBeforeAnyCall() async throws {
        let noPrompt = try await run(Script(body: .null), request(nil))
        let badResolution = try await run(Script(body: .null), request { $0.resolution = "720p" })
        let noKey = try await run(Script(body: .null), request(), apiKey: nil)
        #expect(noPrompt.error?.code == "InvalidParameterValue" && badResolution.error?.code == "InvalidParameterValue")
        #expect(noKey.error?.code == "InternalError" && noKey.error?.isRetryable == false)
        #expect([noPrompt, badResolution, noKey].allSatisfy { $0.submits == 0 && $0.polls.isEmpty })
    }
}
