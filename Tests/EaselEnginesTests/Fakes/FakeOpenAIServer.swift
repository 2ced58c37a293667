import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
@testable import EaselEngines

/// A wire-exact stand-in for OpenAI's image API or an OpenAI-compatible server: a Hummingbird app on 127.0.0.1 and
/// an ephemeral port that verifies every request field by field, records it, and answers as documented.
struct FakeOpenAIServer: Sendable {
    /// Which server the fake plays.
    enum Flavour: Sendable {
        /// OpenAI GPT Image (providers.md §1): strict field set, sizes divisible by 16, no `response_format`.
        case openAI
        /// An OpenAI-compatible local server (§11a): only `prompt, size, n, model, response_format`; `url` answers are
        /// served from `/generated-images/` like LocalAI, `b64_json` answers carry `output_format` like sd.cpp.
        case compatible
    }

    /// What the fake answers to an image request that passed verification.
    enum Reply: Sendable {
        /// The documented success body, one rendered image per `n`.
        case images
        /// The documented success body with an empty `data` array.
        case emptyData
        /// A status, body and extra headers verbatim (documented errors, malformed bodies).
        case raw(status: Int, body: String, headers: [String: String] = [:])
        /// Success, after a delay (for timeouts).
        case slow(Duration)
    }

    /// One request as the fake received it, with what its verification found wrong (`problems`, empty when exact).
    struct Recorded: Sendable {
        var method: String
        var path: String
        var authorization: String?
        var contentType: String?
        /// The JSON body of generations requests.
        var json: JSONValue?
        /// The parts of multipart edits requests, in order.
        var parts: [Part] = []
        var problems: [String] = []

        /// A field's value: the JSON member, or the text of the multipart part.
        func field(_ name: String) -> JSONValue? {
            if let json { return json.objectValue?[name] }
            return parts.first { $0.name == name && $0.filename == nil }.map { .string(String(decoding: $0.bytes, as: UTF8.self)) }
        }
    }

    /// One multipart part.
    struct Part: Sendable, Equatable {
        var name: String
        var filename: String?
        var contentType: String?
        var bytes: [UInt8]
    }

    /// `http://127.0.0.1:<port>`.
    let baseURL: String
    private let state: FakeState

    /// Every request received, in order.
    var requests: [Recorded] { get async { await state.requests } }

    /// Runs `body` against a fresh fake, which is stopped afterwards whatever happens.
    static func with<T>(_ flavour: Flavour, apiKey: String?, reply: Reply,
                        _ body: (FakeOpenAIServer) async throws -> T) async throws -> T {
        let state = FakeState(flavour: flavour, apiKey: apiKey, reply: reply)
        return try await FakeUpstream.serve("fake-openai", state) { try await body(FakeOpenAIServer(baseURL: $0, state: state)) }
    }

    // The documented error bodies (providers.md §1 "Errors").
    static let invalidValue = #"{"error":{"message":"Invalid value: 'gpt-image-2'. Value must be 'dall-e-2'.","type":"invalid_request_error","param":"model","code":"invalid_value"}}"#
    static let invalidAPIKey = #"{"error":{"message":"Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#
    static let moderationBlocked = #"{"error":{"message":"Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID req_x. safety_violations=[violence].","type":"image_generation_user_error","param":"","code":"moderation_blocked"}}"#
    static let rateLimited = #"{"error":{"message":"Rate limit reached for gpt-image-2 on images per minute.","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#
    static let insufficientQuota = #"{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#
    static let serverError = #"{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}"#
}

/// The fake's memory: what it was told to do and what it saw.
private actor FakeState: FakeResponder {
    let flavour: FakeOpenAIServer.Flavour
    let apiKey: String?
    let reply: FakeOpenAIServer.Reply
    var requests: [FakeOpenAIServer.Recorded] = []
    var baseURL = ""
    var generated: [String: [UInt8]] = [:]

    init(flavour: FakeOpenAIServer.Flavour, apiKey: String?, reply: FakeOpenAIServer.Reply) {
        self.flavour = flavour
        self.apiKey = apiKey
        self.reply = reply
    }

    func respond(to incoming: FakeRequest) async throws -> FakeReply {
        let body = incoming.body
        var record = FakeOpenAIServer.Recorded(method: incoming.method, path: incoming.path,
                                     authorization: incoming.header("authorization"),
                                     contentType: incoming.header("content-type"))
        if record.method == "GET", record.path.hasPrefix("/generated-images/") {
            requests.append(record)
            guard let bytes = generated[String(record.path.dropFirst("/generated-images/".count))] else {
                return Self.response(404, "not found")
            }
            return Self.response(200, bytes, contentType: ImageProbe.inspect(bytes)?.format.contentType ?? "")
        }
        FakeOpenAIServer.Verifier(flavour: flavour, apiKey: apiKey).verify(&record, body: body)
        requests.append(record)
        guard record.problems.isEmpty else {
            let error = JSONValue.object(["error": .object([
                "message": .string(record.problems.joined(separator: " ")), "type": .string("invalid_request_error"),
                "param": .null, "code": .null])])
            return Self.response(record.path.hasPrefix("/v1/images/") ? 400 : 404, Array(error.encoded()))
        }
        switch reply {
        case .images: return try images(for: record)
        case .emptyData: return Self.response(200, #"{"created":1766000000,"data":[]}"#)
        case .raw(let status, let text, let headers): return Self.response(status, Array(text.utf8), headers: headers)
        case .slow(let delay):
            try await Task.sleep(for: delay)
            return try images(for: record)
        }
    }

    /// The documented success body, with images rendered at the requested size and format.
    private func images(for record: FakeOpenAIServer.Recorded) throws -> FakeReply {
        let size = record.field("size")?.lenientString.flatMap { PixelSize(parsing: $0) } ?? PixelSize(width: 1024, height: 1024)
        let count = Int(record.field("n")?.lenientInt ?? 1)
        let format = record.field("output_format")?.lenientString ?? "png"
        let renderer = SandboxRenderer()
        var data: [JSONValue] = []
        for index in 0..<count {
            let image = renderer.render(prompt: record.field("prompt")?.lenientString ?? "", seed: 7, index: index,
                                        width: size.width, height: size.height, format: format == "jpeg" ? .jpeg : .png)
            if record.field("response_format")?.lenientString == "url" {
                let id = "img-\(generated.count + 1).\(image.info.format.fileExtension)"
                generated[id] = image.bytes
                data.append(.object(["url": .string("\(baseURL)/generated-images/\(id)")]))
            } else {
                data.append(.object(["b64_json": .string(Data(image.bytes).base64EncodedString())]))
            }
        }
        var answer: [String: JSONValue] = ["created": .int(1_766_000_000), "data": .array(data),
                                           "output_format": .string(format)]
        if flavour == .openAI {
            answer["background"] = record.field("background") ?? .string("opaque")
            answer["quality"] = record.field("quality") ?? .string("auto")
            answer["size"] = .string(size.description)
            // Token usage as documented; the adapter ignores it.
            answer["usage"] = try JSONValue.parse(Array(#"{"input_tokens":52,"input_tokens_details":{"image_tokens":0,"text_tokens":52},"output_tokens":6208,"output_tokens_details":{"image_tokens":6208,"text_tokens":0},"total_tokens":6260}"#.utf8))
        }
        return Self.response(200, Array(JSONValue.object(answer).encoded()))
    }

    private static func response(_ status: Int, _ text: String) -> FakeReply {
        response(status, Array(text.utf8))
    }

    private static func response(_ status: Int, _ bytes: [UInt8], contentType: String = "application/json",
                                 headers: [String: String] = [:]) -> FakeReply {
        FakeReply(status: status, body: bytes, type: contentType,
                  headers: headers.merging(["x-request-id": "req_fake"], uniquingKeysWith: { $1 }))
    }
}
