import EaselCore
import EaselEngines
import Foundation
import Logging
import Synchronization
import Testing
@testable import EaselWorker

/// Records every request a fake endpoint receives and answers with a scripted reply.
final class FakeEndpoint: Sendable {
    private let requests = Mutex<[UpstreamRequest]>([])
    private let answer: @Sendable (UpstreamRequest) async throws -> UpstreamResponse

    init(_ answer: @escaping @Sendable (UpstreamRequest) async throws -> UpstreamResponse) {
        self.answer = answer
    }

    var received: [UpstreamRequest] { requests.withLock { $0 } }
    var http: UpstreamHTTP {
        UpstreamHTTP { request in
            self.requests.withLock { $0.append(request) }
            return try await self.answer(request)
        }
    }

    static func json(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> UpstreamResponse {
        UpstreamResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }
}

/// The error code thrown by `body`, nil when it passes.
func thrownError(_ body: () async throws -> Void) async -> EngineError? {
    do {
        try await body()
        return nil
    } catch let error as EngineError {
        return error
    } catch {
        return EngineError(code: "unexpected \(type(of: error))", message: "\(error)", isRetryable: false)
    }
}

@Suite struct ComplianceTests {
    let policy = try! TermPolicyChecker(rules: [
        .init(category: "weapons", terms: ["bomb", "炸弹"]),
        .init(category: "self-harm", terms: ["kill yourself"]),
        .init(terms: ["ass"]),
        .init(category: "identifiers", patterns: [#"\b\d{3}-\d{2}-\d{4}\b"#, "b[o0]{2,}m"]),
    ])

    @Test func matchesTermsCaseInsensitivelyAndNamesTheCategoryOnly() async {
        let error = await thrownError { try await policy.checkInput(prompt: "How to build a BOMB at home", negativePrompt: nil) }
        #expect(error?.code == "InvalidParameter.ViolationContent" && error?.isRetryable == false)
        #expect(error?.message == "The prompt was rejected by the content policy (category: weapons).")
        #expect(error?.message.lowercased().contains("bomb") == false)
        #expect(policy.violation(in: "bomb!")?.category == "weapons")
        #expect(policy.violation(in: "what an ass")?.category == .some(nil))
        let unnamed = await thrownError { try await policy.checkInput(prompt: "ASS", negativePrompt: nil) }
        #expect(unnamed?.message.contains("category: unspecified") == true)
    }

    @Test func noFalsePositivesOnSubstrings() async {
        for text in ["a classic brass bass on a grassy hill", "bombastic bombe glacée", "assassin's creed passage", "bomb_squad"] {
            #expect(policy.violation(in: text) == nil, "\(text)")
        }
        #expect(await thrownError { try await policy.checkInput(prompt: "a lighthouse at dusk", negativePrompt: nil) } == nil)
    }

    @Test func catchesUnicodeAndWhitespaceEvasion() {
        let evasions = ["ｂｏｍｂ", "𝐛𝐨𝐦𝐛", "bo\u{200B}mb", "b\u{200D}o\u{FEFF}m\u{00AD}b", "BO\u{2060}MB",
                        "kill    yourself", "kill\u{00A0}\nyourself", "kill\u{200B} \u{200C}yourself", "ｋｉｌｌ　ｙｏｕｒｓｅｌｆ"]
        for text in evasions { #expect(policy.violation(in: "please \(text) now") != nil, "\(text.unicodeScalars.map(\.value))") }
        #expect(TermPolicyChecker.normalise("  ｆｉ\u{200B}ne \t\n ﬁne  ") == "fine fine")
    }

    @Test func matchesTermsInsideTextOfScriptsWithoutSpaces() {
        #expect(policy.violation(in: "教我制作炸弹的方法")?.category == "weapons")
        #expect(policy.violation(in: "教我制作炸\u{200B}弹")?.category == "weapons")
        #expect(policy.violation(in: "一只可爱的猫") == nil)
    }

    @Test func patternsMatchNormalisedTextCaseInsensitively() {
        #expect(policy.violation(in: "my number is 123-45-6789")?.category == "identifiers")
        #expect(policy.violation(in: "B0OM")?.category == "identifiers")
        #expect(policy.violation(in: "b\u{200B}0\u{200B}0m")?.category == "identifiers")
        #expect(policy.violation(in: "1234-45-6789 and bom") == nil)
    }

    @Test func invalidRulesAreRefusedAtInit() {
        #expect(throws: TermPolicyChecker.ConfigurationError.self) {
            try TermPolicyChecker(rules: [.init(category: "x", patterns: ["ok", "a(b"])])
        }
        #expect(throws: TermPolicyChecker.ConfigurationError.self) { try TermPolicyChecker(rules: [.init(terms: ["\u{200B} "])]) }
        do {
            _ = try TermPolicyChecker(rules: [.init(category: "pii", patterns: ["[z-a]"])])
            Issue.record("[z-a] was accepted")
        } catch {
            #expect(error.message.hasPrefix("rule 1 (pii): invalid pattern [z-a]"))
        }
    }

    @Test func negativePromptIsCheckedOnlyWhenConfigured() async throws {
        #expect(await thrownError { try await policy.checkInput(prompt: "a cat", negativePrompt: "bomb") } == nil)
        let strict = try TermPolicyChecker(rules: [.init(category: "weapons", terms: ["bomb"])], checksNegativePrompt: true)
        let error = await thrownError { try await strict.checkInput(prompt: "a cat", negativePrompt: "no bomb") }
        #expect(error?.message == "The negative prompt was rejected by the content policy (category: weapons).")
    }

    @Test func outputCheckIsANoOp() async {
        let image = GeneratedImage(bytes: [1, 2, 3], info: ImageInfo(format: .png, width: 1, height: 1))
        #expect(await thrownError { try await policy.checkOutput([image], prompt: "bomb") } == nil)
    }
}

/// Records the order checkers run in.
struct RecordingChecker: ComplianceChecker {
    let name: String
    let log: CheckLog
    var fails = false

    func checkInput(prompt: String?, negativePrompt: String?) async throws {
        log.entries.withLock { $0.append("\(name) input") }
        if fails { throw ComplianceError.inputViolation(categories: [name]) }
    }

    func checkOutput(_ images: [GeneratedImage], prompt: String?) async throws {
        log.entries.withLock { $0.append("\(name) output") }
        if fails { throw ComplianceError.outputViolation(categories: [name]) }
    }
}

/// A log shared between test checkers.
final class CheckLog: Sendable {
    let entries = Mutex<[String]>([])
}

@Suite struct CompositeComplianceTests {
    @Test func runsCheckersInOrderAndStopsAtTheFirstViolation() async {
        let log = CheckLog()
        let composite = CompositeChecker([RecordingChecker(name: "a", log: log), RecordingChecker(name: "b", log: log, fails: true),
                                          RecordingChecker(name: "c", log: log)])
        let input = await thrownError { try await composite.checkInput(prompt: "p", negativePrompt: nil) }
        let output = await thrownError { try await composite.checkOutput([], prompt: "p") }
        #expect(input?.code == "InvalidParameter.ViolationContent" && input?.message.contains("category: b") == true)
        #expect(output?.code == "ContentModerationFailed" && output?.isRetryable == false)
        #expect(log.entries.withLock { $0 } == ["a input", "b input", "a output", "b output"])
        #expect(await thrownError { try await CompositeChecker([]).checkInput(prompt: "p", negativePrompt: nil) } == nil)
    }
}

@Suite struct ModerationComplianceTests {
    static let key = "sk-mod-test-91f3"
    // OpenAI's documented answer shape (trimmed category list).
    static let flagged = """
        {"id":"modr-970d409ef3bef3b70c73d8232df86e7d","model":"omni-moderation-latest","results":[{"flagged":true,
         "categories":{"sexual":false,"harassment":false,"illicit/violent":true,"self-harm":false,"violence":true},
         "category_scores":{"sexual":0.0001,"illicit/violent":0.91,"violence":0.86},
         "category_applied_input_types":{"violence":["text"],"illicit/violent":["text"]}}]}
        """
    static let clean = """
        {"id":"modr-1","model":"omni-moderation-latest","results":[{"flagged":false,"categories":{"sexual":false,
         "violence":false},"category_scores":{"sexual":0.0001,"violence":0.0002}}]}
        """

    func checker(_ fake: FakeEndpoint, base: String = "https://mod.example", key: String? = key,
                 mode: ModerationEndpointChecker.FailureMode = .failClosed, negative: Bool = false) -> ModerationEndpointChecker {
        ModerationEndpointChecker(baseURL: base, apiKey: key, model: "omni-moderation-latest", http: fake.http,
                                  inputFailure: mode, outputFailure: mode, checksNegativePrompt: negative,
                                  logger: FakeEndpoint.quietLogger)
    }

    /// Everything wrong with `request` as an OpenAI moderations call carrying `input`.
    func problems(_ request: UpstreamRequest, input: [JSONValue], key: String? = key) -> [String] {
        var found: [String] = []
        if request.method != "POST" { found.append("method \(request.method)") }
        if request.url != "https://mod.example/v1/moderations" { found.append("url \(request.url)") }
        if request.headers.first(where: { $0.0 == "Authorization" })?.1 != key.map({ "Bearer \($0)" }) { found.append("authorization") }
        if request.headers.first(where: { $0.0 == "Content-Type" })?.1 != "application/json" { found.append("content type") }
        let body = try? JSONValue.parse(request.body)
        if body != .object(["model": .string("omni-moderation-latest"), "input": .array(input)]) { found.append("body") }
        return found
    }

    func text(_ value: String) -> JSONValue { .object(["type": .string("text"), "text": .string(value)]) }

    @Test func passesACleanPromptAfterSendingTheDocumentedRequest() async {
        let fake = FakeEndpoint { _ in FakeEndpoint.json(Self.clean) }
        #expect(await thrownError { try await checker(fake).checkInput(prompt: "a red fox", negativePrompt: "blood") } == nil)
        #expect(fake.received.count == 1 && problems(fake.received[0], input: [text("a red fox")]).isEmpty)
        #expect(await thrownError { try await checker(fake).checkInput(prompt: " \n", negativePrompt: nil) } == nil)
        #expect(fake.received.count == 1, "a blank prompt needs no request")
    }

    @Test func flaggedInputIsAViolationNamingTheCategories() async {
        let fake = FakeEndpoint { _ in FakeEndpoint.json(Self.flagged) }
        let error = await thrownError { try await checker(fake, negative: true).checkInput(prompt: "p1", negativePrompt: "n1") }
        #expect(error?.code == "InvalidParameter.ViolationContent" && error?.isRetryable == false)
        #expect(error?.message == "The prompt or negative prompt was rejected by the content policy (categories: illicit/violent, violence).")
        #expect(problems(fake.received[0], input: [text("p1"), text("n1")]).isEmpty)
    }

    @Test func outputSendsEachImageAsADataURLAndStopsAtTheFirstFlagged() async {
        let fake = FakeEndpoint { request in
            FakeEndpoint.json(String(decoding: request.body, as: UTF8.self).contains("AQID") ? Self.flagged : Self.clean)
        }
        let images = [GeneratedImage(bytes: [9, 9], info: ImageInfo(format: .jpeg, width: 1, height: 1)),
                      GeneratedImage(bytes: [1, 2, 3], info: ImageInfo(format: .png, width: 1, height: 1)),
                      GeneratedImage(bytes: [4], info: ImageInfo(format: .png, width: 1, height: 1))]
        let error = await thrownError { try await checker(fake).checkOutput(images, prompt: "p") }
        #expect(error?.code == "ContentModerationFailed" && error?.message.contains("illicit/violent, violence") == true)
        func image(_ url: String) -> JSONValue { .object(["type": .string("image_url"), "image_url": .object(["url": .string(url)])]) }
        #expect(fake.received.count == 2)
        #expect(problems(fake.received[0], input: [image("data:image/jpeg;base64,CQk=")]).isEmpty)
        #expect(problems(fake.received[1], input: [image("data:image/png;base64,AQID")]).isEmpty)
    }

    @Test func failuresFailClosedWithARetryableErrorOrOpenWhenConfigured() async {
        let answers: [@Sendable (UpstreamRequest) async throws -> UpstreamResponse] = [
            { _ in FakeEndpoint.json(#"{"error":{"message":"boom","type":"server_error"}}"#, status: 500, headers: [("Retry-After", "7")]) },
            { _ in FakeEndpoint.json(#"{"id":"modr-1","results":[{"flag"#) },
            { _ in FakeEndpoint.json(#"{"id":"modr-1","results":[{"categories":{}}]}"#) },
            { _ in FakeEndpoint.json(#"{"id":"modr-1","results":[]}"#) },
            { _ in throw EngineError(code: "TaskTimeout", message: "The upstream did not answer in time.", isRetryable: true) },
        ]
        for (index, answer) in answers.enumerated() {
            let closed = await thrownError { try await checker(FakeEndpoint(answer)).checkInput(prompt: "p", negativePrompt: nil) }
            #expect(closed?.code == "InternalError" && closed?.isRetryable == true, "answer \(index)")
            #expect(closed?.retryAfter == (index == 0 ? .seconds(7) : nil))
            let image = GeneratedImage(bytes: [1], info: ImageInfo(format: .png, width: 1, height: 1))
            let open = checker(FakeEndpoint(answer), mode: .failOpen)
            #expect(await thrownError { try await open.checkInput(prompt: "p", negativePrompt: nil) } == nil, "answer \(index)")
            #expect(await thrownError { try await open.checkOutput([image], prompt: "p") } == nil, "answer \(index)")
        }
    }

    @Test func cancellationPropagates() async {
        let fake = FakeEndpoint { _ in throw CancellationError() }
        await #expect(throws: CancellationError.self) { try await checker(fake).checkInput(prompt: "p", negativePrompt: nil) }
    }

    @Test func urlKeyAndSecrecy() async {
        let fake = FakeEndpoint { _ in FakeEndpoint.json(Self.clean) }
        _ = await thrownError { try await checker(fake, base: "https://mod.example/v1/").checkInput(prompt: "a", negativePrompt: nil) }
        _ = await thrownError { try await checker(fake, key: nil).checkInput(prompt: "b", negativePrompt: nil) }
        #expect(problems(fake.received[0], input: [text("a")]).isEmpty)
        #expect(problems(fake.received[1], input: [text("b")], key: nil).isEmpty)
        let subject = checker(fake)
        var dumped = ""
        dump(subject, to: &dumped)
        for shown in ["\(subject)", String(reflecting: subject), dumped] { #expect(!shown.contains(Self.key)) }
    }
}
