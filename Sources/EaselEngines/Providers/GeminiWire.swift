import EaselCore
import Foundation

/// The Gemini `generateContent` wire format (providers.md §2, §12, §13): the request body, the image parts of an
/// answer, the safety blocks that arrive as HTTP 200 and the `{"error":{code,message,status,details}}` mapping.
enum GeminiWire {
    /// Upstream model ids per catalog version (§13); a channel's `upstreamModel` overrides them.
    static func defaultModel(version: String) -> String? {
        switch version.lowercased() {
        case "2.5": "gemini-2.5-flash-image"
        case "3.0": "gemini-3-pro-image-preview"
        // UNCONFIRMED: 3.1-lite has no documented model id of its own; it runs on 3.1 unless a channel maps it.
        case "3.1", "3.1-lite": "gemini-3.1-flash-image-preview"
        default: nil
        }
    }

    static let harmCategories = ["HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH",
                                 "HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_DANGEROUS_CONTENT"]
    static let aspectRatios = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"]
    static let extraRatios31 = ["1:4", "4:1", "1:8", "8:1"]
    static let policyFinishReasons: Set = ["SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT", "IMAGE_PROHIBITED_CONTENT",
                                           "BLOCKLIST", "SPII", "RECITATION", "IMAGE_RECITATION"]

    /// The `generateContent` body for one image. `seedOffset` varies the seed between the calls of one job, which
    /// would otherwise all draw the same picture; `modalities` and `personGeneration` are the channel's options.
    static func body(_ job: EngineJob, seedOffset: Int, modalities: [String], personGeneration: Bool) -> JSONValue {
        let request = job.request
        var parts: [JSONValue] = []
        for input in job.inputs {
            if let text = nonEmpty(input.text) { parts.append(.object(["text": .string(text)])) }
            parts.append(.object(["inlineData": .object(["mimeType": .string(input.info.format.contentType),
                                                         "data": .string(input.base64)])]))
        }
        // The prompt goes after the images (§2); the negative prompt has no field and is folded in (our choice).
        var prompt = nonEmpty(request.prompt) ?? ""
        if let negative = nonEmpty(request.negativePrompt) { prompt += (prompt.isEmpty ? "" : "\n") + "Avoid: " + negative }
        if !prompt.isEmpty || parts.isEmpty { parts.append(.object(["text": .string(prompt)])) }

        var config: [String: JSONValue] = ["responseModalities": .array(modalities.map(JSONValue.string))]
        var imageConfig: [String: JSONValue] = [:]
        if let ratio = aspectRatio(job) { imageConfig["aspectRatio"] = .string(ratio) }
        // 2.5 Flash Image has one fixed ~1K size and takes no imageSize (§2).
        if request.modelVersion != "2.5" { imageConfig["imageSize"] = .string(imageSize(job)) }
        // personGeneration is Vertex-only; the Developer API refuses it, so it is sent only where enabled.
        if personGeneration, let person = request.personGeneration {
            imageConfig["personGeneration"] = .string(person.lowercased() == "disallowed" ? "ALLOW_NONE" : "ALLOW_ADULT")
        }
        if !imageConfig.isEmpty { config["imageConfig"] = .object(imageConfig) }
        if let seed = request.seed {
            // GenerationConfig.seed is an int32.
            config["seed"] = .int((seed &+ Int64(seedOffset)) & 0x7FFF_FFFF)
        }
        var body: [String: JSONValue] = [
            "contents": .array([.object(["role": .string("user"), "parts": .array(parts)])]),
            "generationConfig": .object(config),
        ]
        if let check = request.outputComplianceCheck {
            let threshold = check ? "BLOCK_MEDIUM_AND_ABOVE" : "BLOCK_NONE"
            body["safetySettings"] = .array(harmCategories.map {
                .object(["category": .string($0), "threshold": .string(threshold)])
            })
        }
        return .object(body)
    }

    /// The request's aspect ratio; for an explicit size (GEM's `WxH` resolutions, OpenAI `size`) the nearest one
    /// the model takes. Nil lets the model choose (it follows the reference image).
    static func aspectRatio(_ job: EngineJob) -> String? {
        if let ratio = job.request.aspectRatio, ratio.lowercased() != "auto" { return ratio }
        let explicit = job.request.size != nil || job.request.resolution.flatMap(PixelSize.init(parsing:)) != nil
        guard explicit, job.outputSize.width > 0, job.outputSize.height > 0 else { return nil }
        let candidates = aspectRatios + (job.request.modelVersion.hasPrefix("3.1") ? extraRatios31 : [])
        let target = log(Double(job.outputSize.width) / Double(job.outputSize.height))
        return candidates.min { distance($0, target) < distance($1, target) }
    }

    private static func distance(_ ratio: String, _ target: Double) -> Double {
        guard let (a, b) = OutputGeometry.parseAspectRatio(ratio) else { return .infinity }
        return abs(log(Double(a) / Double(b)) - target)
    }

    /// `1K`/`2K`/`4K` as requested; other resolutions (`720P`, `1080P`, `WxH`) get the smallest tier that holds the
    /// output size, with 10% slack.
    static func imageSize(_ job: EngineJob) -> String {
        if let tier = job.request.resolution?.uppercased(), ["1K", "2K", "4K"].contains(tier) { return tier }
        let pixels = Double(job.outputSize.pixels)
        for (tier, side) in [("1K", 1024.0), ("2K", 2048.0)] where pixels <= side * side * 1.1 { return tier }
        return "4K"
    }

    /// The final image of a 200 answer, or the safety block / missing image it reports.
    static func image(from response: UpstreamResponse) throws -> GeneratedImage {
        guard let json = response.json, json.objectValue != nil else { throw UpstreamFailure.malformed("not a JSON object") }
        if let reason = json["promptFeedback"]?["blockReason"]?.lenientString {
            throw UpstreamFailure.inputBlocked("The prompt was blocked by the provider's safety system (\(reason)).")
        }
        let candidates = json["candidates"]?.arrayValue ?? []
        var images: [GeneratedImage] = []
        var texts: [String] = []
        for part in candidates.flatMap({ $0["content"]?["parts"]?.arrayValue ?? [] }) {
            // Gemini 3 may send interim "thought" images before the answer.
            if part["thought"]?.lenientBool == true { continue }
            if let text = part["text"]?.lenientString { texts.append(text) }
            guard let inline = part["inlineData"] ?? part["inline_data"] else { continue }
            guard let base64 = inline["data"]?.lenientString, let data = Data(base64Encoded: base64) else {
                throw UpstreamFailure.malformed("inlineData.data is not base64")
            }
            let bytes = [UInt8](data)
            guard let info = ImageProbe.inspect(bytes) else { throw UpstreamFailure.malformed("inlineData is not an image") }
            images.append(GeneratedImage(bytes: bytes, info: info))
        }
        if let last = images.last { return last }
        let finish = candidates.first?["finishReason"]?.lenientString ?? (candidates.isEmpty ? "no candidates" : "none")
        if policyFinishReasons.contains(finish) {
            throw UpstreamFailure.outputBlocked("The output was blocked by the provider's safety system (\(finish)).")
        }
        let said = texts.joined(separator: " ").trimmingWhitespaceAndNewlines()
        throw UpstreamFailure.noImage("The model returned no image (\(finish))" + (said.isEmpty ? "." : ": \(said.prefix(200))"))
    }

    /// Maps an error answer by its `status`, with the delay of a `google.rpc.RetryInfo` (or `Retry-After`). The
    /// provider's message is shown only for client errors, with the key removed.
    static func failure(_ response: UpstreamResponse, apiKey: String?) -> EngineError {
        let error = response.json?["error"]
        let status = error?["status"]?.lenientString ?? ""
        let message = error?["message"]?.lenientString.map { redact($0, apiKey) }
        let details = error?["details"]?.arrayValue ?? []
        let retryInfo = details.first { $0["@type"]?.lenientString?.hasSuffix("google.rpc.RetryInfo") == true }
        let retryAfter = retryInfo?["retryDelay"]?.lenientString.flatMap(duration) ?? response.retryAfter
        // A bad key is a 400 INVALID_ARGUMENT with reason API_KEY_INVALID: a configuration problem, not the client's.
        if details.contains(where: { $0["reason"]?.lenientString?.hasPrefix("API_KEY") == true }) {
            return UpstreamFailure.classify(status: 401)
        }
        switch status {
        case "RESOURCE_EXHAUSTED": return UpstreamFailure.classify(status: 429, retryAfter: retryAfter)
        case "INVALID_ARGUMENT", "OUT_OF_RANGE": return UpstreamFailure.classify(status: 400, detail: message)
        case "PERMISSION_DENIED", "UNAUTHENTICATED": return UpstreamFailure.classify(status: 403)
        case "FAILED_PRECONDITION":
            return EngineError(code: "InternalError", message: "The upstream refused this server's account or region.",
                               isRetryable: false)
        case "NOT_FOUND": return UpstreamFailure.classify(status: 404)
        case "DEADLINE_EXCEEDED": return UpstreamFailure.classify(status: 504, retryAfter: retryAfter)
        case "UNAVAILABLE", "INTERNAL", "UNKNOWN":
            return UpstreamFailure.classify(status: response.status >= 500 ? response.status : 503, retryAfter: retryAfter)
        default: return UpstreamFailure.classify(status: response.status, retryAfter: retryAfter, detail: message)
        }
    }

    /// A protobuf JSON duration: `47s`, `0.5s`.
    static func duration(_ text: String) -> Duration? {
        guard text.hasSuffix("s"), let seconds = Double(text.dropLast()), seconds >= 0, seconds < 86_400 else { return nil }
        return .milliseconds(Int((seconds * 1000).rounded()))
    }

    static func redact(_ text: String, _ secret: String?) -> String {
        guard let secret, secret.count >= 4 else { return text }
        return text.replacingOccurrences(of: secret, with: "[redacted]")
    }

    static func nonEmpty(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingWhitespaceAndNewlines(), !trimmed.isEmpty else { return nil }
        return trimmed
    }
}
