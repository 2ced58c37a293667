import EaselCore
import EaselEngines
import Foundation
import Testing
@testable import EaselWorker

@Suite struct PromptEnhancerTests {
    static let key = "sk-chat-test-7d21"
    let request = ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "a red fox")

    /// OpenAI's documented chat completion answer with `content` and `finish_reason`.
    static func completion(_ content: JSONValue, finish: String = "stop") -> UpstreamResponse {
        let body = JSONValue.object([
            "id": .string("chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT"), "object": .string("chat.completion"),
            "created": .int(1_741_569_952), "model": .string("gpt-4.1-mini-2025-04-14"),
            "choices": .array([.object(["index": .int(0), "logprobs": .null, "finish_reason": .string(finish),
                                        "message": .object(["role": .string("assistant"), "content": content,
                                                            "refusal": .null])])]),
            "usage": .object(["prompt_tokens": .int(19), "completion_tokens": .int(10), "total_tokens": .int(29)]),
        ])
        return UpstreamResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(body.encoded()))
    }

    func enhancer(_ fake: FakeEndpoint, base: String = "https://llm.example", key: String? = key,
                  instruction: String = ChatPromptEnhancer.defaultInstruction, temperature: Double = 0.7,
                  maxLength: Int = 2000) -> ChatPromptEnhancer {
        ChatPromptEnhancer(baseURL: base, apiKey: key, model: "gpt-4.1-mini", http: fake.http, instruction: instruction,
                           temperature: temperature, maxLength: maxLength, logger: FakeEndpoint.quietLogger)
    }

    /// Everything wrong with `request` as an OpenAI chat completion call.
    func problems(_ request: UpstreamRequest, prompt: String, instruction: String = ChatPromptEnhancer.defaultInstruction,
                  temperature: Double = 0.7, key: String? = key) -> [String] {
        var found: [String] = []
        if request.method != "POST" { found.append("method \(request.method)") }
        if request.url != "https://llm.example/v1/chat/completions" { found.append("url \(request.url)") }
        if request.headers.first(where: { $0.0 == "Authorization" })?.1 != key.map({ "Bearer \($0)" }) { found.append("authorization") }
        if request.headers.first(where: { $0.0 == "Content-Type" })?.1 != "application/json" { found.append("content type") }
        let expected = JSONValue.object([
            "model": .string("gpt-4.1-mini"),
            "messages": .array([.object(["role": .string("system"), "content": .string(instruction)]),
                                .object(["role": .string("user"), "content": .string(prompt)])]),
            "temperature": .double(temperature),
        ])
        if (try? JSONValue.parse(request.body)) != expected { found.append("body \(String(decoding: request.body, as: UTF8.self))") }
        return found
    }

    @Test func rewritesThePromptWithTheDocumentedRequest() async throws {
        let fake = FakeEndpoint { _ in Self.completion(.string("\n\n \"A red fox in fresh snow, golden hour, 85mm\"  \n")) }
        let result = try await enhancer(fake).enhancement(prompt: "a red fox", request: request)
        #expect(result == PromptEnhancement(prompt: "A red fox in fresh snow, golden hour, 85mm") && result.isEnhanced)
        #expect(fake.received.count == 1 && problems(fake.received[0], prompt: "a red fox") == [])
        #expect(try await enhancer(fake).enhance(prompt: "a red fox", request: request) == "A red fox in fresh snow, golden hour, 85mm")
    }

    @Test func usesTheConfiguredInstructionTemperatureAndBaseURL() async throws {
        let fake = FakeEndpoint { _ in Self.completion(.string("一只在雪地里的红狐狸，黄昏")) }
        let custom = enhancer(fake, base: "https://llm.example/v1/", key: nil, instruction: "Be terse.", temperature: 0.2)
        #expect(try await custom.enhance(prompt: "红狐狸", request: request) == "一只在雪地里的红狐狸，黄昏")
        #expect(problems(fake.received[0], prompt: "红狐狸", instruction: "Be terse.", temperature: 0.2, key: nil) == [])
    }

    @Test func cleansReasoningAndContentParts() async throws {
        let think = FakeEndpoint { _ in Self.completion(.string("<think>The user wants a fox.</think>\n“A fox, watercolour”")) }
        #expect(try await enhancer(think).enhance(prompt: "fox", request: request) == "A fox, watercolour")
        let parts = FakeEndpoint { _ in
            Self.completion(.array([.object(["type": .string("text"), "text": .string("A fox, ")]),
                                    .object(["type": .string("text"), "text": .string("ink")])]))
        }
        #expect(try await enhancer(parts).enhance(prompt: "fox", request: request) == "A fox, ink")
        #expect(ChatPromptEnhancer.clean(#""a" and "b""#) == #""a" and "b""#)
    }

    @Test func fallsBackToTheOriginalPromptWhenTheEndpointFails() async throws {
        let cases: [(String, @Sendable (UpstreamRequest) async throws -> UpstreamResponse)] = [
            ("HTTP 500", { _ in UpstreamResponse(status: 500, body: Array(#"{"error":{"message":"overloaded"}}"#.utf8)) }),
            ("HTTP 401", { _ in UpstreamResponse(status: 401, body: Array(#"{"error":{"code":"invalid_api_key"}}"#.utf8)) }),
            ("unreadable answer", { _ in UpstreamResponse(status: 200, body: Array(#"{"choices":[{"message":"#.utf8)) }),
            ("unreadable answer", { _ in UpstreamResponse(status: 200, body: Array(#"{"choices":[]}"#.utf8)) }),
            ("unreadable answer", { _ in Self.completion(.null) }),
            ("empty answer", { _ in Self.completion(.string("  \n \"\" ")) }),
            ("finish_reason length", { _ in Self.completion(.string("A fox in"), finish: "length") }),
            ("finish_reason content_filter", { _ in Self.completion(.string("x"), finish: "content_filter") }),
            ("rewrite longer than 40 characters", { _ in Self.completion(.string(String(repeating: "fox ", count: 11))) }),
            ("request failed (InternalError)", { _ in
                throw EngineError(code: "InternalError", message: "The upstream could not be reached.", isRetryable: true)
            }),
            ("request failed (transport)", { _ in throw URLError(.cannotConnectToHost) }),
        ]
        for (reason, answer) in cases {
            let result = try await enhancer(FakeEndpoint(answer), maxLength: 40).enhancement(prompt: "a red fox", request: request)
            #expect(result == PromptEnhancement(prompt: "a red fox", fallbackReason: reason) && !result.isEnhanced)
            #expect(!reason.contains(Self.key))
        }
    }

    @Test func emptyPromptsAreNotSentAndCancellationPropagates() async throws {
        let fake = FakeEndpoint { _ in Self.completion(.string("never")) }
        #expect(try await enhancer(fake).enhance(prompt: "  ", request: request) == "  ")
        #expect(fake.received.isEmpty)
        let cancelled = FakeEndpoint { _ in throw CancellationError() }
        await #expect(throws: CancellationError.self) { try await enhancer(cancelled).enhance(prompt: "fox", request: request) }
    }

    @Test func neverShowsTheKey() {
        let subject = enhancer(FakeEndpoint { _ in Self.completion(.string("x")) })
        var dumped = ""
        dump(subject, to: &dumped)
        for shown in ["\(subject)", String(reflecting: subject), dumped] { #expect(!shown.contains(Self.key)) }
    }
}
