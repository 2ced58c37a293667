import EaselCore
import Foundation

/// The Volcengine Ark `images/generations` wire format for Seedream (providers.md §3, §12, §13): the request
/// body, the `data[]` items of an answer and the `{"error":{code,message,param,type}}` mapping.
enum ArkWire {
    static let path = "/api/v3/images/generations"
    /// Outputs plus references per request at most (§3).
    static let maxImagesPerRequest = 15
    static let defaultMaxImageBytes = 50 * 1024 * 1024

    /// Upstream model ids per catalog version (§13); a channel's `upstreamModel` (BytePlus ids, `ep-…`) overrides them.
    static func defaultModel(version: String) -> String? {
        switch version.lowercased() {
        case "4.0": "doubao-seedream-4-0-250828"
        case "4.5": "doubao-seedream-4-5-251128"
        case "5.0-lite": "doubao-seedream-5-0-260128"
        default: nil
        }
    }

    /// The `size` tokens each version takes (§3).
    static func sizeTokens(version: String) -> [String] {
        switch version.lowercased() {
        case "4.0": ["1K", "2K", "4K"]
        case "4.5": ["2K", "4K"]
        case "5.0-lite": ["2K", "3K"]
        default: []
        }
    }

    /// Whether the request asks for a group of images (`sequential_image_generation: auto`).
    static func isSequential(_ request: ImageRequest) -> Bool {
        request.additionalParameters?["sequential_image_generation"]?.lenientString?.lowercased() == "auto"
    }

    /// The request body. `responseFormat` is `url` or `b64_json`.
    static func body(_ job: EngineJob, model: String, responseFormat: String) -> JSONValue {
        let request = job.request
        var body: [String: JSONValue] = [
            "model": .string(model),
            "prompt": .string(request.prompt ?? ""),
            "size": .string(size(job)),
            "stream": .bool(false),
            "response_format": .string(responseFormat),
            // Ark watermarks by default; Tencent's LogoAdd defaults to Disabled.
            "watermark": .bool(request.logoAdd == true),
        ]
        let references = job.inputs.map { $0.sourceURL ?? $0.dataURL }
        if references.count == 1, let only = references.first {
            body["image"] = .string(only)
        } else if !references.isEmpty {
            body["image"] = .array(references.map(JSONValue.string))
        }
        if isSequential(request) {
            body["sequential_image_generation"] = .string("auto")
            let options = request.additionalParameters?["sequential_image_generation_options"]?.lenientObject
            let asked = options?["max_images"]?.lenientInt.map(Int.init) ?? (job.imageCount > 1 ? job.imageCount : nil)
            if let asked {
                let room = max(1, maxImagesPerRequest - references.count)
                body["sequential_image_generation_options"] = .object(["max_images": .int(Int64(min(max(asked, 1), room)))])
            }
        } else {
            body["sequential_image_generation"] = .string("disabled")
        }
        if let seed = request.seed { body["seed"] = .int(seed & 0x7FFF_FFFF) }
        if request.enhancePrompt == true { body["optimize_prompt_options"] = .object(["mode": .string("standard")]) }
        if request.modelVersion.lowercased() == "5.0-lite", let format = request.outputFormat?.lowercased(),
           format == "png" || format == "jpeg" {
            body["output_format"] = .string(format)
        }
        return .object(body)
    }

    /// An explicit size as `WxH`; otherwise the resolution tier as the model's own token, so the model keeps choosing
    /// the aspect ratio from the prompt (SI has no aspect-ratio parameter). A tier the model lacks is sent as `WxH`.
    static func size(_ job: EngineJob) -> String {
        let request = job.request
        let pixels = "\(job.outputSize.width)x\(job.outputSize.height)"
        guard request.size == nil else { return pixels }
        let tokens = sizeTokens(version: request.modelVersion)
        if let tier = request.resolution?.uppercased() {
            return tokens.contains(tier) ? tier : pixels
        }
        let nearest = tokens.first { token in
            guard let n = Int(token.dropLast()) else { return false }
            return Double(job.outputSize.pixels) <= Double(n * n * 1024 * 1024) * 1.1
        }
        return nearest ?? pixels
    }

    /// Where each `data[]` item's image is: inline bytes, a URL to fetch, or the error that replaced it.
    enum Item {
        case bytes([UInt8])
        case url(String)
        case failed(EngineError)
    }

    /// The items of a 200 answer.
    static func items(from response: UpstreamResponse, apiKey: String?) throws -> [Item] {
        guard let json = response.json, json.objectValue != nil else { throw UpstreamFailure.malformed("not a JSON object") }
        if json["error"]?.objectValue != nil, json["data"] == nil { throw failure(response, apiKey: apiKey) }
        guard let data = json["data"]?.arrayValue else { throw UpstreamFailure.malformed("no data array") }
        return try data.map { item in
            if let base64 = item["b64_json"]?.lenientString {
                guard let decoded = Data(base64Encoded: base64) else { throw UpstreamFailure.malformed("b64_json is not base64") }
                return .bytes([UInt8](decoded))
            }
            if let url = item["url"]?.lenientString, url.hasPrefix("https://") || url.hasPrefix("http://") { return .url(url) }
            if let error = item["error"], error.objectValue != nil {
                return .failed(mapped(code: error["code"]?.lenientString ?? "", status: 400, retryAfter: nil,
                                      message: error["message"]?.lenientString.map { redact($0, apiKey) }))
            }
            throw UpstreamFailure.malformed("a data item has neither url nor b64_json")
        }
    }

    /// Maps an error answer by its `code`, then by HTTP status (honouring `Retry-After`). The provider's message is
    /// shown only for client errors, with the key removed.
    static func failure(_ response: UpstreamResponse, apiKey: String?) -> EngineError {
        let error = response.json?["error"]
        return mapped(code: error?["code"]?.lenientString ?? "", status: response.status, retryAfter: response.retryAfter,
                      message: error?["message"]?.lenientString.map { redact($0, apiKey) })
    }

    static func mapped(code: String, status: Int, retryAfter: Duration?, message: String?) -> EngineError {
        if code.contains("SensitiveContentDetected") {
            let detail = message.map { ": \($0)" } ?? "."
            return code.hasPrefix("Output")
                ? UpstreamFailure.outputBlocked("The output was rejected by the provider's safety system (\(code))\(detail)")
                : UpstreamFailure.inputBlocked("The input was rejected by the provider's safety system (\(code))\(detail)")
        }
        if code.hasPrefix("RateLimitExceeded") || code == "ServerOverloaded" || code == "QuotaExceeded" {
            return UpstreamFailure.classify(status: 429, retryAfter: retryAfter)
        }
        switch code {
        case "AuthenticationError": return UpstreamFailure.classify(status: 401)
        case "AccessDenied": return UpstreamFailure.classify(status: 403)
        case "AccountOverdueError": return UpstreamFailure.classify(status: 402)
        case "InvalidEndpointOrModel.NotFound", "ModelNotOpen": return UpstreamFailure.classify(status: 404)
        default:
            let effective = (200..<300).contains(status) ? 400 : status
            return UpstreamFailure.classify(status: effective, retryAfter: retryAfter, detail: message)
        }
    }

    static func redact(_ text: String, _ secret: String?) -> String {
        guard let secret, secret.count >= 4 else { return text }
        return text.replacingOccurrences(of: secret, with: "[redacted]")
    }
}
