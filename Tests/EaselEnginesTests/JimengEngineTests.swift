import EaselCore
import Foundation
import Testing
@testable import EaselEngines

private typealias Script = FakeVolcengineServer.Script
private typealias Reply = FakeVolcengineServer.Reply

private let minimal = json(#"{"req_key":"jimeng_t2i_v40","prompt":"一只红狐狸","force_single":true}"#)

private func request(_ prompt: String = "一只红狐狸", edit: (inout ImageRequest) -> Void = { _ in }) -> ImageRequest {
    .edited("Jimeng", "4.0", prompt: prompt, edit)
}

private func reference(_ index: Int, url: String? = nil) -> ResolvedImage {
    .rendered(seed: 7, index: index, width: 96, height: 96, sourceURL: url)
}

private func run(_ script: Script, _ imageRequest: ImageRequest = request(), inputs: [ResolvedImage] = [], count: Int = 1,
                 outputSize: PixelSize = PixelSize(width: 1024, height: 1024), secretKey: String = FakeVolcengineServer.secretKey,
                 options: [String: String] = [:], resumeToken: String? = nil, timeout: Duration = .seconds(20),
                 clock: @escaping @Sendable () -> Date = Date.init,
                 cancelAfter: Duration? = nil) async throws -> EngineRun<FakeTaskMemory<Script>> {
    try await EngineHarness.withLiveHTTP { http in
        try await FakeVolcengineServer.with(script: script) { server in
            let channel = UpstreamChannel(name: "jimeng-test", kind: .jimeng, baseURL: server.baseURL + "/",
                                          accessKey: FakeVolcengineServer.accessKey, secretKey: secretKey, region: "cn-north-1",
                                          models: [ModelRoute(name: "Jimeng", version: "4.0")],
                                          options: ["poll_interval_ms": "20"].merging(options) { $1 }, timeout: timeout)
            let job = EngineJob(taskId: "251007502-AigcImageTask-j1", request: imageRequest, outputSize: outputSize,
                                imageCount: count, inputs: inputs, resumeToken: resumeToken)
            return try await EngineHarness.run(try JimengImageEngine(channel: channel, http: http, clock: clock), job,
                                               cancelAfter: cancelAfter, polls: { await server.polls.count }) { await server.memory }
        }
    }
}

@Suite struct JimengEngineTests {
    @Test func signedSubmitCheckpointsThenPollsAndDownloads() async throws {
        let run = try await run(Script(submitBody: minimal))
        #expect(run.error == nil && run.otherError == nil)
        #expect(run.problems == [] && run.refusals == [])
        #expect(run.submits == 1 && run.polls.count == 3)
        #expect(run.checkpoints == [FakeVolcengineServer.taskId] && run.pollsAtCheckpoint == [0])
        #expect(run.images.map(\.bytes) == [FakeVolcengineServer.image(0)])
        #expect(run.images.map(\.info) == [ImageInfo(format: .png, width: 48, height: 64)])
        #expect(run.progress == run.progress.sorted() && run.progress.first == 5 && run.progress.last == 100)
    }

    @Test func referencesGeometryAndLogoAreMapped() async throws {
        let refs = [reference(0, url: "https://example.com/a.png"), reference(1, url: "https://example.com/b.jpg")]
        let expected = json(#"""
            {"req_key":"jimeng_t2i_v40","prompt":"背景换成演唱会现场","image_urls":["https://example.com/a.png","https://example.com/b.jpg"],
             "width":1183,"height":887,"seed":42,"scale":0.8,"min_ratio":0.5,"max_ratio":2}
            """#)
        let reqJSON = json(#"{"return_url":true,"logo_info":{"add_logo":true,"position":0,"language":1,"opacity":1}}"#)
        let run = try await run(Script(submitBody: expected, reqJSON: reqJSON, images: 2), request("背景换成演唱会现场") {
            $0.size = PixelSize(width: 800, height: 600); $0.seed = 42; $0.logoAdd = true
            $0.additionalParameters = ["scale": .double(0.8), "min_ratio": .string("0.5")]
        }, inputs: refs, count: 2, outputSize: PixelSize(width: 800, height: 600), options: ["max_ratio": "2", "logo_language": "1"])
        #expect(run.problems == [] && run.error == nil)
        #expect(run.images.map(\.bytes) == [FakeVolcengineServer.image(0), FakeVolcengineServer.image(1)])
    }

    @Test func inlineReferencesAndBase64Results() async throws {
        let refs = [reference(2), reference(3, url: "https://example.com/c.png")]
        let expected = json(#"""
            {"req_key":"jimeng_t2i_v40","prompt":"一只红狐狸","binary_data_base64":["\#(refs[0].base64)","\#(refs[1].base64)"],
             "size":4194304,"force_single":true}
            """#)
        let run = try await run(Script(submitBody: expected, reqJSON: json(#"{"return_url":false}"#)), request { $0.resolution = "2K" },
                                inputs: refs, outputSize: PixelSize(width: 2048, height: 2048), options: ["return_url": "false"])
        #expect(run.problems == [] && run.error == nil)
        #expect(run.images.map(\.bytes) == [FakeVolcengineServer.image(0)])
    }

    @Test func resumeTokenPollsWithoutSubmitting() async throws {
        let run = try await run(Script(submitBody: .null, play: .init(pollsBeforeDone: 1, existingTask: true)),
                                resumeToken: FakeVolcengineServer.taskId)
        #expect(run.submits == 0 && run.checkpoints == [] && run.polls.count == 2 && run.problems == [])
        #expect(run.images.map(\.bytes) == [FakeVolcengineServer.image(0)])
    }

    @Test func wrongSecretIsRefusedByTheSignatureCheck() async throws {
        let run = try await run(Script(submitBody: minimal), secretKey: "not-the-secret")
        #expect(run.refusals == ["signature does not match"])
        #expect(run.error?.code == "InternalError" && run.error?.isRetryable == false)
        #expect(run.error?.message.contains("not-the-secret") == false && run.checkpoints == [])
    }

    @Test func signaturesAreDatedByTheInjectedClock() async throws {
        let run = try await run(Script(submitBody: minimal), clock: { Date().addingTimeInterval(-3600) })
        #expect(run.refusals == ["X-Date is skewed"] && run.error?.code == "InternalError" && run.submits == 0)
    }

    static let submitFailures: [(FakeVolcengineServer.Reply, String, Bool, Duration?)] = [
        (Reply(status: 429, body: #"{"code":50429,"data":null,"message":"Request Has Reached API Limit, Please Try Later","status":50429}"#,
               headers: ["Retry-After": "7"]), "RequestLimitExceeded", true, .seconds(7)),
        (Reply(status: 400, body: #"{"code":50413,"data":null,"message":"Post Text Risk Not Pass","status":50413}"#),
         "InvalidParameter.ViolationContent", false, nil),
        (Reply(status: 200, body: #"{"code":50412,"data":null,"message":"Text Risk Not Pass","status":50412}"#),
         "InvalidParameter.ViolationContent", false, nil),
        (Reply(status: 400, body: #"{"code":50400,"data":null,"message":"Input invalid for this service.","status":50400}"#),
         "InvalidParameterValue", false, nil),
        (Reply(status: 500, body: #"{"code":50500,"data":null,"message":"Internal Error","status":50500}"#), "InternalError", true, nil),
        (Reply(status: 502, body: "<html>bad gateway</html>"), "InternalError", true, nil),
        (Reply(status: 200, body: "<html>not json</html>"), "ModelGenerateFailed", true, nil),
        (Reply(status: 200, body: #"{"code":10000,"data":{},"message":"Success"}"#), "ModelGenerateFailed", true, nil),
        (Reply(status: 403, body: #"{"ResponseMetadata":{"Error":{"CodeN":100009,"Code":"InvalidAccessKey","Message":"x"}}}"#),
         "InternalError", false, nil),
    ]

    @Test(arguments: submitFailures)
    func submitErrorsAreClassified(reply: FakeVolcengineServer.Reply, code: String, retryable: Bool, retryAfter: Duration?) async throws {
        let run = try await run(Script(submitBody: minimal, submitReply: reply))
        #expect(run.error?.code.rawValue == code && run.error?.isRetryable == retryable && run.error?.retryAfter == retryAfter)
        #expect(run.polls.count == 0 && run.checkpoints == [] && run.problems == [])
    }

    @Test(arguments: [(FakeVolcengineServer.Outcome.failed(code: 50511, message: "Post Img Risk Not Pass", status: 400), "ContentModerationFailed"),
                      (.failed(code: 50411, message: "Pre Img Risk Not Pass", status: 200), "InvalidParameter.ViolationContent"),
                      (.status("expired"), "TaskTimeout"), (.status("not_found"), "InternalError"),
                      (.corruptImage, "ModelGenerateFailed")])
    func taskFailuresEndTheJob(outcome: FakeVolcengineServer.Outcome, code: String) async throws {
        let run = try await run(Script(submitBody: minimal, play: .init(pollsBeforeDone: 1, outcome: outcome)))
        #expect(run.error?.code.rawValue == code && run.images.isEmpty && run.problems == [])
        if code != "ModelGenerateFailed" { #expect(run.error?.isRetryable == false && run.polls.count == 2) }
    }

    @Test func transientPollFailuresAreRetried() async throws {
        let replies = [Reply(status: 429, body: #"{"code":50430,"data":null,"message":"Concurrent Limit","status":50430}"#,
                             headers: ["retry-after-ms": "30"]),
                       Reply(status: 500, body: #"{"code":50501,"data":null,"message":"Internal RPC Error","status":50501}"#),
                       Reply(status: 200, body: "{truncated")]
        let run = try await run(Script(submitBody: minimal, play: .init(pollReplies: replies, pollsBeforeDone: 0)))
        #expect(run.error == nil && run.images.count == 1 && run.polls.count == 4 && run.submits == 1 && run.problems == [])
    }

    @Test func deadlineAndCancellation() async throws {
        let slow = try await run(Script(submitBody: minimal, play: .init(outcome: .never)), timeout: .seconds(8))
        #expect(slow.error?.code == "TaskTimeout" && slow.error?.isRetryable == true && slow.checkpoints.count == 1)
        let cancelled = try await run(Script(submitBody: minimal, play: .init(outcome: .never)), cancelAfter: .seconds(1))
        #expect(cancelled.otherError == "CancellationError" && cancelled.images.isEmpty)
    }

    @Test func geometryIsFittedIntoTheDocumentedArea() {
        #expect(JimengImageEngine.fitted(PixelSize(width: 800, height: 600)) == PixelSize(width: 1183, height: 887))
        #expect(JimengImageEngine.fitted(PixelSize(width: 8192, height: 4096)).pixels <= 4096 * 4096)
        #expect(JimengImageEngine.fitted(PixelSize(width: 2560, height: 1440)) == PixelSize(width: 2560, height: 1440))
    }
}
