import EaselCore
import Foundation
import Testing
@testable import EaselEngines

private typealias Script = FakeDashScopeServer.Script
private typealias Reply = FakeDashScopeServer.Reply

private func request(_ version: String = "0925", _ prompt: String = "三只小狗", edit: (inout ImageRequest) -> Void = { _ in }) -> ImageRequest {
    .edited("Qwen", version, prompt: prompt, edit)
}

private func reference(url: String? = nil) -> ResolvedImage {
    .rendered(seed: 8, width: 80, height: 80, sourceURL: url)
}

private let plainT2I = json(#"""
    {"model":"qwen-image-plus","input":{"messages":[{"role":"user","content":[{"text":"三只小狗"}]}]},"parameters":{"n":1,"watermark":false}}
    """#)
private let asyncT2I = json(#"{"model":"qwen-image-plus","input":{"prompt":"三只小狗"},"parameters":{"n":1,"watermark":false}}"#)

private func run(_ script: Script, _ imageRequest: ImageRequest = request(), inputs: [ResolvedImage] = [], count: Int = 1,
                 apiKey: String = FakeDashScopeServer.apiKey, options: [String: String] = [:], routes: [ModelRoute] = [],
                 resumeToken: String? = nil, timeout: Duration = .seconds(20)) async throws -> EngineRun<FakeTaskMemory<Script>> {
    try await EngineHarness.withLiveHTTP { http in
        try await FakeDashScopeServer.with(script: script) { server in
            let channel = UpstreamChannel(name: "dashscope-test", kind: .dashscope, baseURL: server.baseURL, apiKey: apiKey,
                                          models: routes, options: ["poll_interval_ms": "20"].merging(options) { $1 }, timeout: timeout)
            let size = imageRequest.size ?? PixelSize(width: 1024, height: 1024)
            let job = EngineJob(taskId: "251007502-AigcImageTask-q1", request: imageRequest, outputSize: size, imageCount: count,
                                inputs: inputs, resumeToken: resumeToken)
            return try await EngineHarness.run(try DashScopeQwenEngine(channel: channel, http: http), job,
                                               polls: { await server.polls.count }) { await server.memory }
        }
    }
}

@Suite struct DashScopeEngineTests {
    @Test func editWithReferenceURLIsSynchronous() async throws {
        let expected = json(#"""
            {"model":"qwen-image-edit-plus","input":{"messages":[{"role":"user","content":[
              {"image":"https://example.com/in.png"},{"text":"把背景换成南极"}]}]},
             "parameters":{"n":1,"size":"1024*1536","negative_prompt":"low quality","prompt_extend":true,"watermark":false,"seed":42}}
            """#)
        let run = try await run(Script(body: expected), request("0925", "把背景换成南极") {
            $0.size = PixelSize(width: 1024, height: 1536); $0.negativePrompt = "low quality"; $0.enhancePrompt = true; $0.seed = 42
        }, inputs: [reference(url: "https://example.com/in.png")])
        #expect(run.problems == [] && run.error == nil && run.otherError == nil)
        #expect(run.images.map(\.bytes) == [FakeDashScopeServer.image(0)])
        #expect(run.images.map(\.info) == [ImageInfo(format: .png, width: 64, height: 40)])
        #expect(run.submits == 1 && run.polls.count == 0 && run.checkpoints == [] && run.progress == [5, 100])
    }

    @Test func inlineReferenceAndSizeFittedToEditLimits() async throws {
        let ref = reference()
        let expected = json(#"""
            {"model":"qwen-image-edit-plus","input":{"messages":[{"role":"user","content":[{"image":"\#(ref.dataURL)"},{"text":"三只小狗"}]}]},
             "parameters":{"n":2,"size":"512*896","watermark":true}}
            """#)
        let run = try await run(Script(body: expected, images: 2), request { $0.size = PixelSize(width: 400, height: 700); $0.logoAdd = true },
                                inputs: [ref], count: 2)
        #expect(run.problems == [] && run.error == nil)
        #expect(run.images.map(\.bytes) == [FakeDashScopeServer.image(0), FakeDashScopeServer.image(1)])
    }

    @Test(arguments: [("0925", [ModelRoute](), "qwen-image-plus", "1664*928", 1920, 1080),
                      ("2.0", [], "qwen-image-2.0", "2896*1448", 4096, 2048),
                      ("0925", [ModelRoute(name: "Qwen", version: "0925", upstreamModel: "qwen-image-max")], "qwen-image-max", "1920*1080", 1920, 1080)])
    func textToImageSyncPicksModelAndSize(version: String, routes: [ModelRoute], model: String, size: String, width: Int, height: Int) async throws {
        let expected = json(#"""
            {"model":"\#(model)","input":{"messages":[{"role":"user","content":[{"text":"三只小狗"}]}]},
             "parameters":{"n":1,"size":"\#(size)","watermark":false,"prompt_extend":false}}
            """#)
        let run = try await run(Script(body: expected), request(version) {
            $0.size = PixelSize(width: width, height: height); $0.enhancePrompt = false
        }, routes: routes)
        #expect(run.problems == [] && run.error == nil && run.images.count == 1)
    }

    @Test func asyncModeCheckpointsBeforePolling() async throws {
        let expected = json(#"{"model":"qwen-image-plus","input":{"prompt":"三只小狗"},"parameters":{"n":1,"watermark":false,"negative_prompt":"blur"}}"#)
        let run = try await run(Script(async: true, body: expected), request { $0.negativePrompt = "blur" }, options: ["mode": "async"])
        #expect(run.problems == [] && run.error == nil)
        #expect(run.submits == 1 && run.polls.count == 3)
        #expect(run.checkpoints == [FakeDashScopeServer.taskId] && run.pollsAtCheckpoint == [0])
        #expect(run.progress == run.progress.sorted() && run.progress.first == 5 && run.progress.last == 100 && run.progress.contains(10))
        #expect(run.images.map(\.bytes) == [FakeDashScopeServer.image(0)])
    }

    @Test func resumeTokenPollsWithoutSubmitting() async throws {
        let resumed = try await run(Script(async: true, body: .null, play: .init(pollsBeforeDone: 1, existingTask: true)),
                                    options: ["mode": "async"], resumeToken: FakeDashScopeServer.taskId)
        #expect(resumed.submits == 0 && resumed.polls.count == 2 && resumed.checkpoints == [] && resumed.problems == [] && resumed.images.count == 1)
        let gone = try await run(Script(async: true, body: .null, play: .init(existingTask: true)),
                                 resumeToken: "11111111-2222-3333-4444-555555555555")
        #expect(gone.error?.code == "InternalError" && gone.error?.isRetryable == false && gone.submits == 0)
    }

    @Test(arguments: [(FakeDashScopeServer.Outcome.failed(code: "DataInspectionFailed", message: "Output data may contain inappropriate content."),
                       "ContentModerationFailed"),
                      (.failed(code: "InternalError.Algo", message: "algo error"), "InternalError"),
                      (.resultsFailed(code: "DataInspectionFailed"), "ContentModerationFailed"),
                      (.canceled, "InternalError")])
    func asyncTaskFailuresInHTTP200(outcome: FakeDashScopeServer.Outcome, code: String) async throws {
        let run = try await run(Script(async: true, body: asyncT2I, play: .init(pollsBeforeDone: 1, outcome: outcome)), options: ["mode": "async"])
        #expect(run.error?.code.rawValue == code && run.error?.isRetryable == false && run.polls.count == 2 && run.problems == [])
    }

    static let syncFailures: [(FakeDashScopeServer.Reply, String, Bool, Duration?)] = [
        (Reply(status: 400, body: #"{"request_id":"r","code":"DataInspectionFailed","message":"Input or output data may contain inappropriate content."}"#),
         "InvalidParameter.ViolationContent", false, nil),
        (Reply(status: 400, body: #"{"request_id":"r","code":"InvalidParameter","message":"size must be W*H"}"#), "InvalidParameterValue", false, nil),
        (Reply(status: 429, body: #"{"request_id":"r","code":"Throttling.RateQuota","message":"Requests rate limit exceeded"}"#,
               headers: ["Retry-After": "5"]), "RequestLimitExceeded", true, .seconds(5)),
        (Reply(status: 400, body: #"{"request_id":"r","code":"Arrearage","message":"Access denied, account is in arrears"}"#),
         "ResourceInsufficient", false, nil),
        (Reply(status: 403, body: #"{"request_id":"r","code":"AccessDenied.Unpurchased","message":"not purchased"}"#), "InternalError", false, nil),
        (Reply(status: 408, body: #"{"request_id":"r","code":"RequestTimeOut","message":"timeout"}"#), "TaskTimeout", true, nil),
        (Reply(status: 500, body: #"{"request_id":"r","code":"InternalError.Algo","message":"algo failed"}"#), "InternalError", true, nil),
        (Reply(status: 502, body: "<html>bad gateway</html>"), "InternalError", true, nil),
        (Reply(status: 200, body: "not json"), "ModelGenerateFailed", true, nil),
        (Reply(status: 200, body: #"{"request_id":"r","output":{"choices":[]}}"#), "ModelGenerateFailed", false, nil),
    ]

    @Test(arguments: syncFailures)
    func syncErrorsAreClassified(reply: FakeDashScopeServer.Reply, code: String, retryable: Bool, retryAfter: Duration?) async throws {
        let run = try await run(Script(body: plainT2I, reply: reply))
        #expect(run.error?.code.rawValue == code && run.error?.isRetryable == retryable && run.error?.retryAfter == retryAfter)
        #expect(run.problems == [] && run.checkpoints == [])
        if code == "InvalidParameterValue" { #expect(run.error?.message.contains("size must be W*H") == true) }
    }

    @Test func wrongKeyIsAnInternalErrorThatNamesNoKey() async throws {
        let run = try await run(Script(body: plainT2I), apiKey: "sk-wrong-key-0000")
        #expect(run.error?.code == "InternalError" && run.error?.isRetryable == false)
        #expect(run.error?.message.contains("sk-wrong") == false && run.submits == 0)
    }

    @Test func transientPollFailuresAreRetriedAndDeadlineHolds() async throws {
        let replies = [Reply(status: 429, body: #"{"request_id":"r","code":"Throttling","message":"slow down"}"#, headers: ["retry-after-ms": "30"]),
                       Reply(status: 500, body: #"{"request_id":"r","code":"InternalError","message":"oops"}"#),
                       Reply(status: 200, body: "{trunc")]
        let retried = try await run(Script(async: true, body: asyncT2I, play: .init(pollReplies: replies, pollsBeforeDone: 0)),
                                    options: ["mode": "async"])
        #expect(retried.error == nil && retried.images.count == 1 && retried.polls.count == 4 && retried.problems == [])
        let slow = try await run(Script(async: true, body: asyncT2I, play: .init(outcome: .never)), options: ["mode": "async"],
                                 timeout: .seconds(8))
        #expect(slow.error?.code == "TaskTimeout" && slow.error?.isRetryable == true && slow.checkpoints.count == 1)
    }

    @Test func sizesAreFittedPerModel() {
        #expect(DashScopeQwenEngine.fitted(PixelSize(width: 1024, height: 768), model: "qwen-image-plus") == PixelSize(width: 1472, height: 1140))
        #expect(DashScopeQwenEngine.fitted(PixelSize(width: 3000, height: 1000), model: "qwen-image-edit-plus")
            == PixelSize(width: 2048, height: 682))
        #expect(DashScopeQwenEngine.fitted(PixelSize(width: 300, height: 300), model: "qwen-image-2.0") == PixelSize(width: 512, height: 512))
    }
}
