import EaselCore
import Foundation
import Testing
@testable import EaselEngines

private let accessKey = "ak-test-7f3a"
private let secretKey = "sk-secret-kling-9b1c"
private typealias Script = FakeKlingServer.Script

private func request(_ version: String, _ prompt: String? = "a red fox",
                     edit: (inout ImageRequest) -> Void = { _ in }) -> ImageRequest {
    .edited("Kling", version, prompt: prompt, edit)
}

private func reference(_ index: Int, url: String? = nil) -> ResolvedImage {
    .rendered(seed: 9, index: index, width: 320, height: 320, sourceURL: url)
}

private func run(_ script: Script, _ imageRequest: ImageRequest, inputs: [ResolvedImage] = [], count: Int = 1,
                 auth: FakeKlingServer.Auth = .jwt(accessKey: accessKey, secretKey: secretKey), resumeToken: String? = nil,
                 timeout: Duration = .seconds(20), clock: @escaping @Sendable () -> Date = Date.init,
                 routes: [ModelRoute] = [], cancelAfter: Duration? = nil) async throws -> EngineRun<FakeTaskMemory<Script>> {
    try await EngineHarness.withLiveHTTP { http in
        try await FakeKlingServer.with(auth: auth, script: script) { server in
            var channel = UpstreamChannel(name: "kling-test", kind: .kling, baseURL: server.baseURL + "/",
                                          models: routes, options: ["poll_interval_ms": "20"], timeout: timeout)
            switch auth {
            case .jwt(let ak, let sk): (channel.accessKey, channel.secretKey) = (ak, sk)
            case .apiKey(let key): channel.apiKey = key
            }
            let job = EngineJob(taskId: "251007502-AigcImageTask-k1", request: imageRequest,
                                outputSize: PixelSize(width: 1024, height: 1024), imageCount: count, inputs: inputs,
                                resumeToken: resumeToken)
            return try await EngineHarness.run(try KlingImageEngine(channel: channel, http: http, clock: clock), job,
                                               cancelAfter: cancelAfter, polls: { await server.polls.count }) { await server.memory }
        }
    }
}

private func reply(_ status: Int, body: String, headers: [String: String] = [:]) -> FakeKlingServer.Reply {
    FakeKlingServer.Reply(status: status, body: body, headers: headers)
}

/// Kling's error envelope (no `data`).
private func failure(_ code: Int, _ message: String) -> String {
    #"{"code":\#(code),"message":"\#(message)","request_id":"9984d27b-a408-4073-ae28-17ca6a13622d"}"#
}

private let minimal = json(#"{"model_name":"kling-v2-1","prompt":"a red fox","n":1}"#)
private let pollPath = "/v1/images/generations/\(FakeKlingServer.taskId)"

@Suite struct KlingEngineTests {
    @Test func textToImageSubmitsCheckpointsPollsAndDownloads() async throws {
        let expected = json(#"""
            {"model_name":"kling-v2-1","prompt":"a red fox","negative_prompt":"blur","n":2,"aspect_ratio":"16:9",
             "resolution":"2k","watermark_info":{"enabled":false}}
            """#)
        let run = try await run(Script(path: "/v1/images/generations", body: expected), request("2.1") {
            $0.negativePrompt = "blur"; $0.aspectRatio = "16:9"; $0.resolution = "2K"; $0.logoAdd = false
        }, count: 2)
        #expect(run.error == nil && run.otherError == nil)
        #expect(run.problems == [] && run.refusals == [])
        let downloaded = run.images.map(\.bytes) == [FakeKlingServer.image(0), FakeKlingServer.image(1)]
        #expect(downloaded && run.images.allSatisfy { $0.info == ImageInfo(format: .png, width: 64, height: 48) })
        #expect(run.submits == 1 && run.polls == Array(repeating: pollPath, count: 3))
        #expect(run.checkpoints == [FakeKlingServer.taskId] && run.pollsAtCheckpoint == [0])
        #expect(run.progress.first == 10 && run.progress == run.progress.sorted() && (run.progress.last ?? 100) <= 90)
        #expect(run.progress.count == 3)
    }

    @Test func twoToFourReferencesUseMultiImage2Image() async throws {
        let refs = [reference(0, url: "https://example.com/a.png"), reference(1),
                    reference(2, url: "https://example.com/c.png")]
        let expected = json(#"""
            {"model_name":"kling-v2-1","prompt":"a red fox","negative_prompt":"blur","n":1,"subject_image_list":[
             {"subject_image":"https://example.com/a.png"},{"subject_image":"\#(refs[1].base64)"},
             {"subject_image":"https://example.com/c.png"}]}
            """#)
        let run = try await run(Script(path: "/v1/images/multi-image2image", body: expected, play: .init(pollsBeforeDone: 0)),
                                request("2.1") { $0.negativePrompt = "blur"; $0.resolution = "1k" }, inputs: refs)
        #expect(run.problems == [] && run.error == nil && run.images.count == 1)
        #expect(run.polls == ["/v1/images/multi-image2image/\(FakeKlingServer.taskId)"])
    }

    @Test func version30SendsOneRawBase64ImageWithoutNegativePrompt() async throws {
        let ref = reference(4)
        let expected = json(#"""
            {"model_name":"kling-v3","prompt":"a red fox","n":3,"image":"\#(ref.base64)","resolution":"1k"}
            """#)
        let run = try await run(Script(path: "/v1/images/generations", body: expected), request("3.0") {
            $0.negativePrompt = "blur"; $0.resolution = "1K"
        }, inputs: [ref], count: 3)
        #expect(run.problems == [] && run.error == nil && run.images.count == 3)
        #expect(!ref.base64.hasPrefix("data:"))
    }

    @Test(arguments: [("3.0-Omni", "kling-v3-omni", []),
                      ("O1", "kling-o1-custom", [ModelRoute(name: "Kling", version: "O1", upstreamModel: "kling-o1-custom")])])
    func omniVersionsUseOmniImage(version: String, model: String, routes: [ModelRoute]) async throws {
        let refs = [reference(0, url: "https://example.com/a.png"), reference(1)]
        let expected = json(#"""
            {"model_name":"\#(model)","prompt":"<<<image_1>>> in <<<image_2>>>","n":1,"aspect_ratio":"auto",
             "resolution":"4k","result_type":"single",
             "image_list":[{"image":"https://example.com/a.png"},{"image":"\#(refs[1].base64)"}]}
            """#)
        let prompt = "<<<image_1>>> in <<<image_2>>>"
        let run = try await run(Script(path: "/v1/images/omni-image", body: expected), request(version, prompt) {
            $0.aspectRatio = "auto"; $0.resolution = "4K"; $0.additionalParameters = ["result_type": .string("single")]
        }, inputs: refs, routes: routes)
        #expect(run.problems == [] && run.error == nil && run.images.count == 1)
    }

    @Test func plainAPIKeyIsSentAsBearer() async throws {
        let run = try await run(Script(path: "/v1/images/generations", body: minimal),
                                request("2.1"), auth: .apiKey("kling-api-key-123"))
        #expect(run.refusals == [] && run.problems == [] && run.images.count == 1)
    }

    @Test func resumeTokenPollsTheRecordedTaskWithoutSubmitting() async throws {
        let script = Script(path: "/v1/images/generations", body: .null, images: 1, play: .init(pollsBeforeDone: 1, existingTask: true))
        let run = try await run(script, request("2.1"), resumeToken: FakeKlingServer.taskId)
        #expect(run.submits == 0 && run.checkpoints == [] && run.problems == [])
        #expect(run.polls == [pollPath, pollPath] && run.images.first?.bytes == FakeKlingServer.image(0))
    }

    @Test(arguments: [("Image generation failed", "ModelGenerateFailed"),
                      ("Failure to pass the risk control system", "ContentModerationFailed")])
    func taskFailureInHTTP200(message: String, code: String) async throws {
        let script = Script(path: "/v1/images/generations", body: minimal, play: .init(outcome: .failed(message)))
        let run = try await run(script, request("2.1"))
        #expect(run.error?.code.rawValue == code && run.error?.isRetryable == false && run.images.isEmpty)
        if code == "ModelGenerateFailed" { #expect(run.error?.message.contains(message) == true) }
    }

    static let submitFailures: [(FakeKlingServer.Reply, String, Bool, Duration?)] = [
        // code != 0 in HTTP 200, then the documented HTTP statuses, then bodies that are no Kling envelope.
        (reply(200, body: failure(1201, "aspect_ratio invalid")), "InvalidParameterValue", false, nil),
        (reply(400, body: failure(1301, "content security")), "InvalidParameter.ViolationContent", false, nil),
        (reply(429, body: failure(1303, "parallel task over resource pack limit"),
               headers: ["Retry-After": "3"]), "RequestLimitExceeded", true, .seconds(3)),
        (reply(429, body: failure(1102, "resource pack exhausted")), "ResourceInsufficient", false, nil),
        (reply(500, body: failure(5000, "internal error")), "InternalError", true, nil),
        (reply(502, body: "<html>bad gateway</html>"), "InternalError", true, nil),
        (reply(200, body: "<html>not json</html>"), "ModelGenerateFailed", true, nil),
        (reply(200, body: #"{"code":0,"message":"SUCCEED","data":{"task_status":"submitted"}}"#),
         "ModelGenerateFailed", true, nil),
        (reply(200, body: #"{"code":0,"message":"SUCCEED","data":{"task_id":"../../v1/x"}}"#), "ModelGenerateFailed", true, nil),
    ]

    @Test(arguments: submitFailures)
    func submitErrorsAreClassified(reply: FakeKlingServer.Reply, code: String, retryable: Bool,
                                   retryAfter: Duration?) async throws {
        let script = Script(path: "/v1/images/generations", body: minimal,
                            submitReply: reply)
        let run = try await run(script, request("2.1"))
        #expect(run.error?.code.rawValue == code && run.error?.isRetryable == retryable && run.error?.retryAfter == retryAfter)
        #expect(run.polls == [] && run.checkpoints == [] && run.problems == [])
    }

    @Test func transientPollFailuresAreRetried() async throws {
        let script = Script(path: "/v1/images/generations", body: minimal,
                            play: .init(pollReplies: [reply(503, body: failure(5001, "maintenance")),
                                                      reply(429, body: failure(1302, "rate limit"),
                                                            headers: ["Retry-After": "0"])]))
        let run = try await run(script, request("2.1"))
        #expect(run.error == nil && run.images.count == 1 && run.polls.count == 5 && run.submits == 1)
    }

    @Test(arguments: [FakeKlingServer.Outcome.noStatus, .corruptImage])
    func malformedResultsFail(outcome: FakeKlingServer.Outcome) async throws {
        let script = Script(path: "/v1/images/generations", body: minimal, play: .init(pollsBeforeDone: 0, outcome: outcome))
        let run = try await run(script, request("2.1"))
        #expect(run.error?.code == "ModelGenerateFailed" && run.images.isEmpty)
    }

    @Test func expiredTokenIsRefusedWithoutLeakingCredentials() async throws {
        let script = Script(path: "/v1/images/generations", body: .null)
        let run = try await run(script, request("2.1"), clock: { Date().addingTimeInterval(-3600) })
        #expect(run.refusals == ["expired"] && run.error?.code == "InternalError" && run.error?.isRetryable == false)
        let text = "\(run.error.map { "\($0)" } ?? "")"
        #expect(!text.contains(accessKey) && !text.contains(secretKey))
    }

    @Test func deadlineEndsPollingWithTaskTimeout() async throws {
        let script = Script(path: "/v1/images/generations", body: minimal, play: .init(outcome: .never))
        let run = try await run(script, request("2.1"), timeout: .seconds(8))
        #expect(run.error?.code == "TaskTimeout" && run.error?.isRetryable == true && run.checkpoints.count == 1)
    }

    @Test func cancellationStopsPolling() async throws {
        let script = Script(path: "/v1/images/generations", body: minimal, play: .init(outcome: .never))
        let run = try await run(script, request("2.1"), cancelAfter: .seconds(1))
        #expect(run.otherError == "CancellationError" && run.checkpoints.count == 1)
    }

    @Test func unsupportedRequestsFailBeforeAnyCall() async throws {
        let script = Script(path: "/v1/images/generations", body: .null)
        let tooMany = try await run(script, request("3.0"), inputs: [reference(0), reference(1)])
        let badResolution = try await run(script, request("2.1") { $0.resolution = "4K" })
        for run in [tooMany, badResolution] {
            #expect(run.error?.code == "InvalidParameterValue" && run.submits == 0 && run.polls == [])
        }
    }

    @Test func jwtMatchesAnIndependentHS256() {
        let now = Date(timeIntervalSince1970: 1_766_000_000)
        let token = KlingJWT.token(accessKey: accessKey, secretKey: secretKey, now: now)
        // Computed with Python's hmac/base64 over the same compact, key-sorted JSON.
        #expect(token == "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
                + ".eyJleHAiOjE3NjYwMDE4MDAsImlzcyI6ImFrLXRlc3QtN2YzYSIsIm5iZiI6MTc2NTk5OTk5NX0"
                + ".Be1llTxJwK7xBRwcnNNYcOMvnfO9hd-v6sfCdNYRnj8")
    }
}
