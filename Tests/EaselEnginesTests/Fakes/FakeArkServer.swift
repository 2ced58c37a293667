import EaselCore
import EaselEngines
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// A stand-in for Volcengine Ark's Seedream endpoint (providers.md §3) on 127.0.0.1 and a free port. It checks
/// every `POST /api/v3/images/generations` field by field, records it, and answers in Ark's shapes: `data[]` with
/// `url` (served under `/tos/…` like a signed TOS link, refusing any `Authorization` header) or `b64_json` (real PNGs
/// from the sandbox renderer), per-image `error` items, and `{"error":{code,message,param,type}}` errors. Auth
/// failures answer 401 `AuthenticationError`; wire-format mistakes answer 400 `InvalidParameter` and are listed in
/// `violations`.
actor FakeArkServer: ServingFake, FakeResponder {
    /// What the fake answers to one valid call.
    enum Reply: Sendable {
        case images
        /// A group whose second image failed moderation.
        case partialFailure
        /// Every item is an error.
        case allFailed
        case error(http: Int, code: String, type: String, retryAfter: String? = nil)
        case truncatedJSON
        /// `url` items whose download is refused (an expired link).
        case expiredURL
    }

    let model: String
    let apiKey: String
    private let replies: [Reply]
    var baseURL = ""
    private var stored: [String: [UInt8]] = [:]
    /// The JSON bodies of valid calls.
    private(set) var calls: [JSONValue] = []
    private(set) var downloads = 0
    /// Every way a request broke the wire format; tests expect none.
    private(set) var violations: [String] = []

    init(model: String, apiKey: String = "ark-test-key", replies: [Reply] = [.images]) {
        self.model = model
        self.apiKey = apiKey
        self.replies = replies.isEmpty ? [.images] : replies
    }

    /// Serves while `body` runs, handing it the base URL (`http://127.0.0.1:<port>`).
    nonisolated func run(_ body: (String) async throws -> Void) async throws {
        try await FakeUpstream.serve("fake-ark", self, body)
    }

    func respond(to request: FakeRequest) -> FakeReply {
        switch (request.method, request.path) {
        case ("POST", "/api/v3/images/generations"): return generate(request)
        case ("GET", let path) where path.hasPrefix("/tos/"): return download(request, file: String(path.dropFirst(5)))
        case ("POST", let path):
            violate("unexpected path \(path)")
            return Self.error(404, "NotFound", "NotFound", "The requested resource was not found.")
        default: return .text(404, "", type: "")
        }
    }

    private func violate(_ message: String) { violations.append(message) }

    private func generate(_ request: FakeRequest) -> FakeReply {
        if request.header("content-type") != "application/json" { violate("Content-Type \(request.header("content-type") ?? "none")") }
        guard request.header("authorization") == "Bearer \(apiKey)" else {
            return Self.error(401, "AuthenticationError", "Unauthorized", "The API key or AK/SK in the request is missing or invalid.")
        }
        guard let body = request.json, body.objectValue != nil else {
            violate("body is not a JSON object")
            return Self.error(400, "InvalidParameter", "BadRequest", "The request body is not valid JSON.")
        }
        if body["model"] != .string(model) {
            violate("model \(body["model"] ?? .null)")
            return Self.error(404, "InvalidEndpointOrModel.NotFound", "NotFound", "The model or endpoint does not exist.")
        }
        let problems = FakeArkServer.check(body, model: model)
        if let first = problems.first {
            violations += problems.map(\.message)
            return Self.error(400, "InvalidParameter", "BadRequest",
                              "The parameter `\(first.param)` specified in the request is not valid: \(first.message).", param: first.param)
        }
        let index = calls.count
        calls.append(body)
        return reply(replies[min(index, replies.count - 1)], body: body)
    }

    /// The documented request: types, enums, the model's `size` tokens and pixel range, group limits.
    static func check(_ body: JSONValue, model: String) -> [(param: String, message: String)] {
        var problems: [(param: String, message: String)] = []
        func expect(_ condition: Bool, _ param: String, _ message: @autoclosure () -> String) {
            if !condition { problems.append((param, message())) }
        }
        let fields = body.objectValue ?? [:]
        let known: Set = ["model", "prompt", "image", "size", "seed", "sequential_image_generation",
                          "sequential_image_generation_options", "stream", "response_format", "watermark",
                          "optimize_prompt_options", "output_format", "tools"]
        for name in fields.keys where !known.contains(name) { problems.append((name, "unknown parameter")) }
        if case .string(let prompt)? = fields["prompt"] {
            expect(!prompt.isEmpty, "prompt", "empty")
        } else {
            problems.append(("prompt", "missing or not a string"))
        }
        var references: [JSONValue] = []
        switch fields["image"] {
        case nil: break
        case .string?: references = [fields["image"] ?? .null]
        case .array(let items)?:
            references = items
            expect((2...14).contains(items.count), "image", "\(items.count) items (a lone reference is a string)")
        default: problems.append(("image", "must be a string or a list of strings"))
        }
        for reference in references { expect(referenceIsValid(reference), "image", "not a URL or data:image/<fmt>;base64 URL") }
        let is40 = model.contains("4-0"), is45 = model.contains("4-5"), is50 = model.contains("5-0")
        let tokens = is40 ? ["1K", "2K", "4K"] : is45 ? ["2K", "4K"] : ["2K", "3K"]
        let pixels = is40 ? 921_600...16_777_216 : is45 ? 3_686_400...16_777_216 : 3_686_400...10_404_496
        if case .string(let size)? = fields["size"] {
            if !tokens.contains(size) {
                let parsed = PixelSize(parsing: size)
                expect(parsed.map { pixels.contains($0.pixels) && size == "\($0.width)x\($0.height)" } == true, "size",
                       "\(size) is not one of \(tokens) or WxH in \(pixels)")
                if let parsed {
                    expect((1.0 / 16...16).contains(Double(parsed.width) / Double(parsed.height)), "size", "aspect ratio out of [1/16, 16]")
                }
            }
        } else if fields["size"] != nil { problems.append(("size", "not a string")) }
        let mode = fields["sequential_image_generation"]
        expect(mode == nil || mode == .string("auto") || mode == .string("disabled"), "sequential_image_generation", "\(mode ?? .null)")
        if let options = fields["sequential_image_generation_options"] {
            expect(mode == .string("auto"), "sequential_image_generation_options", "only with sequential_image_generation auto")
            let max = options["max_images"]
            expect(options.objectValue?.keys.sorted() == ["max_images"], "sequential_image_generation_options", "fields")
            if case .int(let n)? = max {
                expect((1...15).contains(n) && Int(n) + references.count <= 15, "max_images", "\(n)")
            } else {
                problems.append(("max_images", "not an integer"))
            }
        }
        if let seed = fields["seed"] {
            if case .int(let n) = seed {
                expect((-1...2_147_483_647).contains(n), "seed", "\(n) out of range")
            } else {
                problems.append(("seed", "not an integer"))
            }
        }
        for flag in ["stream", "watermark"] {
            if let value = fields[flag] { if case .bool = value {} else { problems.append((flag, "not a boolean")) } }
        }
        expect(fields["stream"] != .bool(true), "stream", "the fake does not stream")
        expect([nil, .string("url"), .string("b64_json")].contains(fields["response_format"]), "response_format", "not url/b64_json")
        if let optimize = fields["optimize_prompt_options"] {
            let modes = is40 ? ["standard", "fast"] : ["standard"]
            expect(optimize.objectValue?.count == 1 && optimize["mode"].flatMap(\.lenientString).map(modes.contains) == true,
                   "optimize_prompt_options", "mode not in \(modes)")
        }
        if let format = fields["output_format"] {
            expect(is50 && (format == .string("png") || format == .string("jpeg")), "output_format", "png/jpeg, 5.0-lite only")
        }
        return problems
    }

    private static func referenceIsValid(_ value: JSONValue) -> Bool {
        guard case .string(let text) = value else { return false }
        if text.hasPrefix("https://") || text.hasPrefix("http://") { return true }
        for format in ["png", "jpeg", "webp"] where text.hasPrefix("data:image/\(format);base64,") {
            let payload = text.dropFirst("data:image/\(format);base64,".count)
            return Data(base64Encoded: String(payload)).flatMap { ImageProbe.inspect([UInt8]($0)) }?.format.rawValue == format
        }
        return false
    }

    private func reply(_ reply: Reply, body: JSONValue) -> FakeReply {
        switch reply {
        case .error(let http, let code, let type, let retryAfter):
            var response = Self.error(http, code, type, "The request failed (\(code)).")
            if let retryAfter { response.headers["Retry-After"] = retryAfter }
            return response
        case .truncatedJSON:
            return Self.raw(200, Array(#"{"model":"doubao-seedream-4-0-250828","created":1757323224,"data":[{"url":"#.utf8))
        default:
            break
        }
        let count: Int
        if body["sequential_image_generation"] == .string("auto") {
            count = Int(body["sequential_image_generation_options"]?["max_images"]?.lenientInt ?? 2)
        } else {
            count = 1
        }
        let size = Self.nominalSize(body["size"]?.lenientString ?? "2048x2048")
        let asURL = body["response_format"] != .string("b64_json")
        var data: [[String: Any]] = []
        for index in 0..<count {
            if case .partialFailure = reply, index == 1 || count == 1 {
                data.append(["error": ["code": "OutputImageSensitiveContentDetected",
                                       "message": "The request failed because the output image may contain sensitive information."]])
                continue
            }
            if case .allFailed = reply {
                data.append(["error": ["code": "OutputImageSensitiveContentDetected", "message": "The output image may be sensitive."]])
                continue
            }
            let png = SandboxRenderer().render(prompt: body["prompt"]?.lenientString ?? "", seed: 11, index: index,
                                               width: size.width / 8, height: size.height / 8, format: .png).bytes
            if asURL {
                let name = "img_\(calls.count)_\(index).png"
                if case .expiredURL = reply {} else { stored[name] = png }
                data.append(["url": "\(baseURL)/tos/\(name)?X-Tos-Algorithm=TOS4-HMAC-SHA256&X-Tos-Expires=86400&X-Tos-Signature=f00d",
                             "size": "\(size.width)x\(size.height)"])
            } else {
                data.append(["b64_json": Data(png).base64EncodedString(), "size": "\(size.width)x\(size.height)"])
            }
        }
        let generated = data.filter { $0["error"] == nil }.count
        return Self.json(200, ["model": model, "created": 1_757_323_224, "data": data,
                               "usage": ["generated_images": generated, "output_tokens": 16280 * generated,
                                         "total_tokens": 16280 * generated]])
    }

    // A signed TOS link: no credentials may arrive with it.
    private func download(_ request: FakeRequest, file: String) -> FakeReply {
        downloads += 1
        if request.header("authorization") != nil { violate("the Ark key was sent to the image URL") }
        if request.queryItems["X-Tos-Signature"] == nil { violate("download without the signed query") }
        guard let png = stored[file] else {
            return .text(403, "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>", type: "application/xml")
        }
        return FakeReply(status: 200, body: png, type: "image/png")
    }

    /// What a `size` value stands for: tokens are square (the model would pick the aspect from the prompt).
    static func nominalSize(_ size: String) -> PixelSize {
        if let parsed = PixelSize(parsing: size) { return parsed }
        let n = Int(size.dropLast()) ?? 2
        return PixelSize(width: n * 1024, height: n * 1024)
    }

    static func error(_ status: Int, _ code: String, _ type: String, _ message: String, param: String = "") -> FakeReply {
        json(status, ["error": ["code": code, "message": "\(message) Request id: 021757323224fake", "param": param, "type": type]])
    }

    static func json(_ status: Int, _ object: [String: Any]) -> FakeReply {
        raw(status, Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data()))
    }

    static func raw(_ status: Int, _ bytes: [UInt8]) -> FakeReply {
        FakeReply(status: status, body: bytes)
    }
}
