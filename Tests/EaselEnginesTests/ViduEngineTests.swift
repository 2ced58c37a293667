import AsyncHTTPClient
import EaselCore
import Foundation
import Testing
@testable import EaselEngines

private typealias Script = FakeViduServer.Script

/// What one run of the engine against the fake produced and what the fake saw.
private struct ViduRun: Sendable {
    var images: [GeneratedImage] = []
    var error: EngineError?
    var otherError: String?
    var submits = 0
    var polls: [String] = []
    var problems: [String] = []
    var progress: [Int] = []
    var checkpoints: [String] = []
    /// The polls the fake had seen when each checkpoint was recorded.
    var pollsAtCheckpoint: [Int] = []
}

private actor JobLog {
    var progress: [Int] = []
    var checkpoints: [String] = []
    var pollsAtCheckpoint: [Int] = []
    func report(_ value: Int) { progress.append(value) }
    func checkpoint(_ id: String, polls: Int) { checkpoints.append(id); pollsAtCheckpoint.append(polls) }
}

private let girl = "the girl in image 1 riding a bike"

private func request(_ prompt: String? = girl, edit: (inout ImageRequest) -> Void = { _ in }) -> ImageRequest {
    var request = ImageRequest(modelName: "Vidu", modelVersion: "q2", prompt: prompt)
    edit(&request)
    return request
}

private func reference(_ index: Int, url: String? = nil) -> ResolvedImage {
    let image = SandboxRenderer().render(prompt: "ref", seed: 5, index: index, width: 160, height: 128, format: .png)
    return ResolvedImage(bytes: image.bytes, info: image.info, sourceURL: url, referenceType: "subject-1")
}

/// An expected wire body, written as the JSON it must be.
private func json(_ text: String) -> JSONValue {
    (try? JSONValue.parse(Array(text.utf8))) ?? .string("unparsable: \(text)")
}

private let taskId: TaskID = "251007502-AigcImageTask-v1"
private let minimal = json(#"{"model":"viduq2","prompt":"\#(girl)","payload":"\#(taskId)"}"#)

private func run(_ script: Script, _ imageRequest: ImageRequest, inputs: [ResolvedImage] = [], resumeToken: String? = nil,
                 apiKey: String? = FakeViduServer.apiKey, timeout: Duration = .seconds(20),
                 cancelAfter: Duration? = nil) async throws -> ViduRun {
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
        let outcome = try await FakeViduServer.with(script: script) { server in
            let channel = UpstreamChannel(name: "vidu-test", kind: .vidu, baseURL: server.baseURL, apiKey: apiKey,
                                          models: [ModelRoute(name: "Vidu", version: "q2")],
                                          options: ["poll_interval_ms": "20"], timeout: timeout)
            let engine = try ViduImageEngine(channel: channel, http: .live(client))
            let log = JobLog()
            let job = EngineJob(taskId: taskId, request: imageRequest,
                                outputSize: PixelSize(width: 1920, height: 1080), imageCount: 1, inputs: inputs,
                                resumeToken: resumeToken,
                                checkpoint: { id in await log.checkpoint(id, polls: await server.polls.count) })
            let task = Task { try await engine.generate(job) { await log.report($0) } }
            if let cancelAfter {
                // Cancel only once the upstream task exists (its checkpoint), however slow the machine is.
                let deadline = ContinuousClock.now + .seconds(30)
                while await log.checkpoints.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                try await Task.sleep(for: cancelAfter)
                task.cancel()
            }
            var result = ViduRun()
            do { result.images = try await task.value } catch let error as EngineError { result.error = error } catch {
                result.otherError = "\(type(of: error))"
            }
            (result.submits, result.polls) = (await server.submits, await server.polls)
            result.problems = await server.problems
            (result.progress, result.checkpoints) = (await log.progress, await log.checkpoints)
            result.pollsAtCheckpoint = await log.pollsAtCheckpoint
            return result
        }
        try await client.shutdown()
        return outcome
    } catch {
        try await client.shutdown()
        throw error
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
        let run = try await run(Script(body: expected, pollsBeforeDone: 0), request { $0.resolution = "1080P" })
        #expect(run.problems == [] && run.images.count == 1 && run.polls.count == 1)
    }

    @Test func visibleLogoTakesTheWatermarkedCreation() async throws {
        let run = try await run(Script(body: minimal), request { $0.logoAdd = true })
        let watermarked = run.images.map(\.bytes) == [FakeViduServer.image(0, watermarked: true)]
        #expect(run.problems == [] && watermarked)
    }

    @Test func resumeTokenPollsTheRecordedTaskWithoutSubmitting() async throws {
        let run = try await run(Script(body: .null, pollsBeforeDone: 1, existingTask: true), request(),
                                resumeToken: FakeViduServer.taskId)
        #expect(run.submits == 0 && run.checkpoints == [] && run.problems == [])
        #expect(run.polls == [pollPath, pollPath] && run.images.first?.bytes == FakeViduServer.image(0))
    }

    @Test(arguments: [("CreationPolicyViolation", "ContentModerationFailed"),
                      ("TaskPromptPolicyViolation", "InvalidParameter.ViolationContent"),
                      ("ImageDownloadFailure", "InvalidParameterValue"), ("", "ModelGenerateFailed")])
    func taskFailuresInHTTP200(errCode: String, code: String) async throws {
        let run = try await run(Script(body: minimal, outcome: .failed(errCode)), request())
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
        let script = Script(body: minimal, pollReplies: [FakeViduServer.error(500, "InternalServiceFailure", "oops"),
                                                         FakeViduServer.error(429, "SystemThrottling", "slow down",
                                                                              headers: ["Retry-After": "0"])])
        let run = try await run(script, request())
        #expect(run.error == nil && run.images.count == 1 && run.polls.count == 6)
    }

    @Test func malformedPollAnswerFails() async throws {
        let run = try await run(Script(body: minimal, pollsBeforeDone: 0, outcome: .noState), request())
        #expect(run.error?.code == "ModelGenerateFailed" && run.polls.count == 1)
    }

    @Test func deadlineEndsPollingWithTaskTimeout() async throws {
        let run = try await run(Script(body: minimal, outcome: .never), request(), timeout: .seconds(8))
        #expect(run.error?.code == "TaskTimeout" && run.error?.isRetryable == true && run.checkpoints.count == 1)
    }

    @Test func cancellationStopsPolling() async throws {
        let run = try await run(Script(body: minimal, outcome: .never), request(), cancelAfter: .seconds(1))
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
