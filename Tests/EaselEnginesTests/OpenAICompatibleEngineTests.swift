import EaselCore
import Foundation
import Testing
@testable import EaselEngines

/// The OpenAI-compatible engine against the fake in its LocalAI / sd.cpp role (part of `OpenAIEngineTests`).
extension OpenAIEngineTests {
    @Test func compatibleTextOnlySendsOnlyTheCommonFields() async throws {
        let progress = ProgressLog()
        try await withFake(.compatible, apiKey: nil, options: ["model": "sd-turbo"]) { server, channel, http in
            let images = try await OpenAICompatibleEngine(channel: channel, http: http)
                .generate(job(width: 700, height: 500, count: 2) { $0.negativePrompt = "blur"; $0.seed = 42 }) {
                    await progress.add($0)
                }
            #expect(images.map(\.info) == Array(repeating: ImageInfo(format: .png, width: 700, height: 500), count: 2))
            let sent = try #require(await server.requests.first)
            #expect(sent.problems.isEmpty, "\(sent.problems)")
            #expect(sent.method == "POST" && sent.path == "/v1/images/generations")
            #expect(sent.authorization == nil)
            #expect(sent.json == .object([
                "model": .string("sd-turbo"), "prompt": .string("a red fox in snow\nAvoid: blur"),
                "size": .string("700x500"), "n": .int(2), "response_format": .string("b64_json"),
            ]))
        }
        #expect(await progress.values == [100])
    }

    @Test func compatibleRouteModelBearerAndOmittedResponseFormat() async throws {
        let route = ModelRoute(name: "OG", version: "image2_high", upstreamModel: "flux-schnell")
        try await withFake(.compatible, apiKey: "sk-local", options: ["model": "sd-turbo", "response_format": "none"],
                           models: [route]) { server, channel, http in
            _ = try await OpenAICompatibleEngine(channel: channel, http: http).generate(job()) { _ in }
            let sent = try #require(await server.requests.first)
            #expect(sent.problems.isEmpty, "\(sent.problems)")
            #expect(sent.authorization == "Bearer sk-local")
            #expect(sent.json == .object([
                "model": .string("flux-schnell"), "prompt": .string("a red fox in snow"), "size": .string("1024x1024"),
                "n": .int(1),
            ]))
        }
    }

    @Test func compatibleLocalAINegativePromptWithoutModel() async throws {
        try await withFake(.compatible, apiKey: nil, options: ["negative_prompt_style": "localai"]) { server, channel, http in
            _ = try await OpenAICompatibleEngine(channel: channel, http: http)
                .generate(job { $0.negativePrompt = "blur, text" }) { _ in }
            let sent = try #require(await server.requests.first)
            #expect(sent.problems.isEmpty, "\(sent.problems)")
            #expect(sent.field("prompt") == .string("a red fox in snow|blur, text"))
            #expect(sent.field("model") == nil)
        }
    }

    @Test func compatibleSDCppNegativePromptAndSeed() async throws {
        try await withFake(.compatible, apiKey: nil, options: ["negative_prompt_style": "sdcpp"]) { server, channel, http in
            _ = try await OpenAICompatibleEngine(channel: channel, http: http)
                .generate(job { $0.negativePrompt = "blur \"soft\""; $0.seed = 42 }) { _ in }
            let sent = try #require(await server.requests.first)
            #expect(sent.problems.isEmpty, "\(sent.problems)")
            let prompt = try #require(sent.field("prompt")?.lenientString)
            let match = try #require(prompt.wholeMatch(of: /a red fox in snow<sd_cpp_extra_args>(.*)<\/sd_cpp_extra_args>/))
            #expect(try JSONValue.parse(Array(match.1.utf8)) == .object([
                "negative_prompt": .string("blur \"soft\""), "seed": .int(42),
            ]))
        }
    }

    @Test func compatibleURLAnswersAreDownloadedThroughTheTransport() async throws {
        try await withFake(.compatible, apiKey: "sk-local", options: ["response_format": "url"]) { server, channel, http in
            let images = try await OpenAICompatibleEngine(channel: channel, http: http)
                .generate(job(width: 512, height: 512, count: 2)) { _ in }
            let requests = await server.requests
            #expect(requests.map { "\($0.method) \($0.path)" } == [
                "POST /v1/images/generations", "GET /generated-images/img-1.png", "GET /generated-images/img-2.png",
            ])
            #expect(requests.allSatisfy { $0.problems.isEmpty && $0.authorization == "Bearer sk-local" })
            #expect(requests.first?.field("response_format") == .string("url"))
            let expected = (0..<2).map {
                SandboxRenderer().render(prompt: "a red fox in snow", seed: 7, index: $0, width: 512, height: 512, format: .png)
            }
            #expect(images.map(\.bytes) == expected.map(\.bytes))
        }
    }

    @Test func compatibleURLDownloadsAreSizeLimited() async throws {
        try await withFake(.compatible, apiKey: nil,
                           options: ["response_format": "url", "max_download_bytes": "100"]) { _, channel, http in
            let error = try #require(await failure {
                try await OpenAICompatibleEngine(channel: channel, http: http).generate(job()) { _ in }
            })
            #expect(error.code == "ModelGenerateFailed" && error.message.contains("too large"))
        }
    }

    @Test func compatibleEditsUploadReferencesAndMask() async throws {
        let inputs = [reference(.png, seed: 3, referenceType: "mask"), reference(.jpeg, seed: 4)]
        try await withFake(.compatible, apiKey: nil, options: ["model": "sd-turbo"]) { server, channel, http in
            let images = try await OpenAICompatibleEngine(channel: channel, http: http)
                .generate(job(width: 512, height: 768, inputs: inputs)) { _ in }
            #expect(images.map(\.info) == [ImageInfo(format: .png, width: 512, height: 768)])
            let sent = try #require(await server.requests.first)
            #expect(sent.problems.isEmpty, "\(sent.problems)")
            #expect(sent.path == "/v1/images/edits" && sent.authorization == nil)
            #expect(sent.parts.map(\.name) == ["prompt", "size", "n", "model", "response_format", "image[]", "mask"])
            #expect(sent.parts.suffix(2).map(\.filename) == ["image-1.jpg", "mask.png"])
            #expect(sent.parts.suffix(2).map(\.contentType) == ["image/jpeg", "image/png"])
            #expect(sent.parts.suffix(2).map(\.bytes) == [inputs[1].bytes, inputs[0].bytes])
            #expect(sent.field("size") == .string("512x768") && sent.field("response_format") == .string("b64_json"))
        }
    }

    static let compatibleErrors: [ErrorCase] = [
        ErrorCase(label: "400 plain error string", reply: .raw(status: 400, body: #"{"error":"bad size for key sk-local"}"#),
                  code: "InvalidParameterValue", isRetryable: false, mentions: "bad size for key ***"),
        ErrorCase(label: "422 FastAPI detail", reply: .raw(status: 422, body: #"{"detail":"n must be positive"}"#),
                  code: "InvalidParameterValue", isRetryable: false, mentions: "n must be positive"),
        ErrorCase(label: "429 retry-after", reply: .raw(status: 429, body: FakeOpenAIServer.rateLimited,
                                                        headers: ["retry-after": "3"]),
                  code: "RequestLimitExceeded", isRetryable: true, retryAfter: .seconds(3)),
        ErrorCase(label: "500 server_error", reply: .raw(status: 500, body: FakeOpenAIServer.serverError),
                  code: "InternalError", isRetryable: true),
        ErrorCase(label: "200 empty data", reply: .emptyData, code: "ModelGenerateFailed", isRetryable: false),
        ErrorCase(label: "slow", reply: .slow(.seconds(3)), code: "TaskTimeout", isRetryable: true),
    ]

    @Test(arguments: compatibleErrors)
    func compatibleErrorMapping(_ expected: ErrorCase) async throws {
        try await withFake(.compatible, apiKey: "sk-local", reply: expected.reply,
                           timeout: expected.code == "TaskTimeout" ? .seconds(1) : .seconds(30)) { server, channel, http in
            let error = try #require(await failure {
                try await OpenAICompatibleEngine(channel: channel, http: http).generate(job()) { _ in }
            })
            #expect(error.code.rawValue == expected.code)
            #expect(error.isRetryable == expected.isRetryable)
            #expect(error.retryAfter == expected.retryAfter)
            if let mentions = expected.mentions { #expect(error.message.contains(mentions), "\(error.message)") }
            #expect(!error.message.contains("sk-local"))
            // A request that timed out may not have been recorded yet on a loaded machine; what arrived is well-formed.
            let requests = await server.requests
            #expect(requests.count <= 1 && requests.allSatisfy(\.problems.isEmpty))
            if expected.code != "TaskTimeout" { #expect(requests.count == 1) }
        }
    }
}
