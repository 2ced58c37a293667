import EaselCore
import EaselEngines
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// A stand-in for the Gemini Developer API (providers.md §2) on 127.0.0.1 and a free port. It checks every
/// `generateContent` request field by field, records it, and answers with scripted replies in Google's shapes:
/// images (real PNGs from the sandbox renderer, after interim `thought` parts for Gemini 3 models), safety blocks
/// inside HTTP 200, `RESOURCE_EXHAUSTED` with `RetryInfo`, 5xx and malformed bodies. Auth failures answer as Google
/// does (400 `API_KEY_INVALID`, 403 `PERMISSION_DENIED`); wire-format mistakes answer 400 `INVALID_ARGUMENT` and are
/// listed in `violations`.
actor FakeGeminiServer: ServingFake {
    /// What the fake answers to one valid call.
    enum Reply: Sendable {
        case image
        case textOnly(String)
        case promptBlocked(String)
        case finish(String)
        case rateLimited(retryDelay: String)
        case error(http: Int, status: String, message: String)
        case truncatedJSON
        case badBase64
    }

    /// One valid request as received.
    struct Call: Sendable {
        let path: String
        let body: JSONValue
        var parts: [JSONValue] { body["contents"]?.arrayValue?.first?["parts"]?.arrayValue ?? [] }
        var generationConfig: JSONValue? { body["generationConfig"] }
        var imageConfig: [String: JSONValue] { body["generationConfig"]?["imageConfig"]?.objectValue ?? [:] }
    }

    let model: String
    let apiKey: String
    private let replies: [Reply]
    private(set) var calls: [Call] = []
    /// Every way a request broke the wire format; tests expect none.
    private(set) var violations: [String] = []
    private(set) var maxInFlight = 0
    private var inFlight = 0

    init(model: String, apiKey: String = "gm-test-key", replies: [Reply] = [.image]) {
        self.model = model
        self.apiKey = apiKey
        self.replies = replies.isEmpty ? [.image] : replies
    }

    /// Serves while `body` runs, handing it the base URL (`http://127.0.0.1:<port>`).
    nonisolated func run(_ body: (String) async throws -> Void) async throws {
        try await FakeUpstream.run("fake-gemini", respond: { request in try await self.respond(to: request) }) { upstream in
            try await body(upstream.baseURL)
        }
    }

    private func respond(to request: FakeRequest) async throws -> FakeReply {
        let prefix = "/v1beta/models/"
        if request.method == "POST", request.path.hasPrefix(prefix), !request.path.dropFirst(prefix.count).contains("/") {
            return try await handle(request)
        }
        guard request.method == "POST" else { return .text(404, "", type: "") }
        violate("unexpected path \(request.path)")
        return Self.json(404, ["error": ["code": 404, "message": "Not found.", "status": "NOT_FOUND"]])
    }

    private func violate(_ message: String) { violations.append(message) }

    private func handle(_ request: FakeRequest) async throws -> FakeReply {
        if request.path != "/v1beta/models/\(model):generateContent" { violate("path \(request.path)") }
        if !request.query.isEmpty { violate("query string \(request.query) (the key belongs in x-goog-api-key)") }
        if request.header("content-type") != "application/json" { violate("Content-Type \(request.header("content-type") ?? "none")") }
        if request.header("authorization") != nil { violate("an Authorization header") }
        guard let key = request.header("x-goog-api-key") else {
            return Self.json(403, ["error": ["code": 403, "message": "Method doesn't allow unregistered callers (callers without "
                                             + "established identity). Please use API Key or other form of API consumer identity "
                                             + "to call this API.", "status": "PERMISSION_DENIED"]])
        }
        guard key == apiKey else {
            return Self.json(400, ["error": ["code": 400, "message": "API key not valid. Please pass a valid API key.",
                                             "status": "INVALID_ARGUMENT", "details": [[
                                                 "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                                                 "domain": "googleapis.com",
                                                 "metadata": ["service": "generativelanguage.googleapis.com"]]]]])
        }
        guard let body = request.json else {
            violate("body is not JSON")
            return Self.json(400, ["error": ["code": 400, "message": "Invalid JSON payload received.", "status": "INVALID_ARGUMENT"]])
        }
        let problems = check(body)
        if let first = problems.first {
            violations += problems
            return Self.json(400, ["error": ["code": 400, "message": "Invalid JSON payload received. \(first)",
                                             "status": "INVALID_ARGUMENT"]])
        }
        let index = calls.count
        calls.append(Call(path: request.path, body: body))
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
        // Generation takes a while, so concurrent calls overlap.
        try await Task.sleep(for: .milliseconds(80))
        inFlight -= 1
        return reply(replies[min(index, replies.count - 1)], body: body, index: index)
    }

    /// The documented request shape: `contents[0]{role:user, parts[]}` with text / `inlineData` parts,
    /// `generationConfig{responseModalities, imageConfig{aspectRatio, imageSize}, seed}` and `safetySettings[]`.
    private func check(_ body: JSONValue) -> [String] {
        var problems: [String] = []
        func expect(_ condition: Bool, _ problem: @autoclosure () -> String) { if !condition { problems.append(problem()) } }
        let top = body.objectValue ?? [:]
        expect(Set(top.keys).isSubset(of: ["contents", "generationConfig", "safetySettings"]), "unknown fields in \(top.keys.sorted())")
        let contents = top["contents"]?.arrayValue ?? []
        expect(contents.count == 1, "contents must hold one user turn, got \(contents.count)")
        let turn = contents.first?.objectValue ?? [:]
        expect(turn["role"] == .string("user"), "contents[0].role must be \"user\"")
        expect(Set(turn.keys) == ["role", "parts"], "contents[0] fields \(turn.keys.sorted())")
        let parts = turn["parts"]?.arrayValue ?? []
        expect(!parts.isEmpty, "contents[0].parts is empty")
        for (i, part) in parts.enumerated() {
            let fields = part.objectValue ?? [:]
            if case .string? = fields["text"], fields.count == 1 { continue }
            guard fields.count == 1, let inline = fields["inlineData"]?.objectValue, Set(inline.keys) == ["mimeType", "data"],
                  case .string(let mime)? = inline["mimeType"], case .string(let data)? = inline["data"] else {
                problems.append("parts[\(i)] must be {text: string} or {inlineData: {mimeType, data}}, got \(fields.keys.sorted())")
                continue
            }
            let info = Data(base64Encoded: data).flatMap { ImageProbe.inspect([UInt8]($0)) }
            expect(info?.format.contentType == mime, "parts[\(i)].inlineData: data is not base64 of a \(mime)")
        }
        let config = top["generationConfig"]?.objectValue ?? [:]
        expect(Set(config.keys).isSubset(of: ["responseModalities", "imageConfig", "seed"]), "generationConfig fields \(config.keys.sorted())")
        let modalities = config["responseModalities"]?.arrayValue ?? []
        expect(modalities.contains(.string("IMAGE")) && modalities.allSatisfy { $0 == .string("IMAGE") || $0 == .string("TEXT") },
               "responseModalities must be a list of TEXT/IMAGE with IMAGE, got \(modalities)")
        if let seed = config["seed"] {
            guard case .int(let value) = seed else { return problems + ["seed must be an integer"] }
            expect(Int64(Int32.min)...Int64(Int32.max) ~= value, "seed \(value) is not an int32")
        }
        let imageConfig = config["imageConfig"]?.objectValue ?? [:]
        expect(Set(imageConfig.keys).isSubset(of: ["aspectRatio", "imageSize"]),
               "imageConfig fields \(imageConfig.keys.sorted()) (personGeneration is Vertex-only)")
        var ratios = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"]
        if model.hasPrefix("gemini-3.1") { ratios += ["1:4", "4:1", "1:8", "8:1"] }
        if let ratio = imageConfig["aspectRatio"] {
            expect(ratios.map(JSONValue.string).contains(ratio), "aspectRatio \(ratio) not in \(ratios)")
        }
        if let size = imageConfig["imageSize"] {
            let sizes = model.hasPrefix("gemini-3.1") ? ["512", "1K", "2K", "4K"] : ["1K", "2K", "4K"]
            expect(!model.hasPrefix("gemini-2.5"), "gemini-2.5-flash-image takes no imageSize")
            expect(sizes.map(JSONValue.string).contains(size), "imageSize \(size) not in \(sizes)")
        }
        let categories = ["HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_SEXUALLY_EXPLICIT",
                          "HARM_CATEGORY_DANGEROUS_CONTENT"]
        let thresholds = ["BLOCK_NONE", "BLOCK_ONLY_HIGH", "BLOCK_MEDIUM_AND_ABOVE", "BLOCK_LOW_AND_ABOVE", "OFF"]
        for setting in top["safetySettings"].map({ $0.arrayValue ?? [.null] }) ?? [] {
            let fields = setting.objectValue ?? [:]
            expect(Set(fields.keys) == ["category", "threshold"]
                   && categories.map(JSONValue.string).contains(fields["category"] ?? .null)
                   && thresholds.map(JSONValue.string).contains(fields["threshold"] ?? .null), "safety setting \(setting)")
        }
        return problems
    }

    private func reply(_ reply: Reply, body: JSONValue, index: Int) -> FakeReply {
        switch reply {
        case .image:
            let ratio = body["generationConfig"]?["imageConfig"]?["aspectRatio"]?.lenientString ?? "1:1"
            var parts: [[String: Any]] = [["text": "Here is your image."]]
            if model.hasPrefix("gemini-3") {
                let draft = SandboxRenderer().render(prompt: "draft", seed: 1, index: 0, width: 64, height: 64, format: .png)
                parts.insert(["text": "Sketching the composition first.", "thought": true], at: 0)
                parts.insert(["inlineData": ["mimeType": "image/png", "data": Data(draft.bytes).base64EncodedString()],
                              "thought": true], at: 1)
            }
            parts.append(["inlineData": ["mimeType": "image/png", "data": Data(Self.png(ratio: ratio, index: index)).base64EncodedString()],
                          "thoughtSignature": "c2lnbmF0dXJl"])
            return Self.json(200, ["candidates": [["content": ["role": "model", "parts": parts], "finishReason": "STOP", "index": 0]],
                                   "usageMetadata": ["promptTokenCount": 12, "candidatesTokenCount": 1290, "totalTokenCount": 1302],
                                   "modelVersion": model, "responseId": "x1Y9aK-fake"])
        case .textOnly(let text):
            return Self.json(200, ["candidates": [["content": ["role": "model", "parts": [["text": text]]],
                                                   "finishReason": "STOP", "index": 0]], "modelVersion": model])
        case .promptBlocked(let reason):
            return Self.json(200, ["promptFeedback": ["blockReason": reason],
                                   "usageMetadata": ["promptTokenCount": 12, "totalTokenCount": 12], "modelVersion": model])
        case .finish(let reason):
            return Self.json(200, ["candidates": [["content": ["role": "model"], "finishReason": reason, "index": 0]],
                                   "modelVersion": model])
        case .rateLimited(let delay):
            return Self.json(429, ["error": [
                "code": 429, "status": "RESOURCE_EXHAUSTED",
                "message": "You exceeded your current quota, please check your plan and billing details. Please retry in \(delay).",
                "details": [
                    ["@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [[
                        "quotaMetric": "generativelanguage.googleapis.com/generate_content_paid_tier_input_token_count",
                        "quotaId": "GenerateContentPaidTierInputTokensPerModelPerMinute"]]],
                    ["@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay],
                ]]])
        case .error(let http, let status, let message):
            return Self.json(http, ["error": ["code": http, "message": message, "status": status]])
        case .truncatedJSON:
            return Self.raw(200, Array(#"{"candidates":[{"content":{"role":"model","parts":[{"inlineData":{"mimeType":"#.utf8))
        case .badBase64:
            return Self.json(200, ["candidates": [["content": ["role": "model", "parts": [
                ["inlineData": ["mimeType": "image/png", "data": "%%% not base64 %%%"]]]], "finishReason": "STOP"]]])
        }
    }

    /// A real PNG in the requested aspect ratio, drawn at a quarter of the 1K size to keep tests fast.
    static func png(ratio: String, index: Int) -> [UInt8] {
        let size = OutputGeometry.pixelSize(resolution: "1K", aspectRatio: OutputGeometry.parseAspectRatio(ratio) ?? (1, 1))
            ?? PixelSize(width: 1024, height: 1024)
        return SandboxRenderer().render(prompt: "gemini", seed: 7, index: index, width: size.width / 4,
                                        height: size.height / 4, format: .png).bytes
    }

    static func json(_ status: Int, _ object: [String: Any]) -> FakeReply {
        raw(status, Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data()))
    }

    static func raw(_ status: Int, _ bytes: [UInt8]) -> FakeReply {
        FakeReply(status: status, body: bytes, type: "application/json; charset=UTF-8")
    }
}
