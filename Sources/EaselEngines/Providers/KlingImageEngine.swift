import EaselCore
import Foundation

/// Kling image generation (`Kling` 2.1, 3.0, 3.0-Omni, O1) through Kling's asynchronous `/v1/images/*` API
/// (providers.md §8): submit, record the upstream task id, poll until `succeed` or `failed`, download the images.
/// Authenticates with an HS256 JWT from the channel's AccessKey/SecretKey, or with its API key when it has no
/// AccessKey. The job runs on ``AsyncUpstreamJob`` (options `poll_interval_ms`, `max_image_bytes`); the whole job,
/// polls and downloads included, must finish within `channel.timeout`.
public struct KlingImageEngine: ImageEngine {
    public let name = "kling"
    private let channel: UpstreamChannel
    private let http: UpstreamHTTP
    private let clock: @Sendable () -> Date
    private let job: AsyncUpstreamJob

    /// Creates the engine, reading its options (`poll_interval_ms`, `max_image_bytes`). `clock` dates the JWTs.
    public init(channel: UpstreamChannel, http: UpstreamHTTP, clock: @escaping @Sendable () -> Date = Date.init) throws {
        let options = try ChannelOptions(channel, accepted: ["poll_interval_ms", "max_image_bytes"])
        self.channel = channel
        self.http = http
        self.clock = clock
        self.job = try AsyncUpstreamJob(channel: channel, options: options, http: http, initialProgress: 10,
                                        reportsCompletion: false)
    }

    public func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        let route = try KlingRoute(job: job, channel: channel)
        return try await self.job.run(job, progress: progress) { deadline in
            let request = UpstreamRequest.json(channel.baseURL + route.path, body: route.body, headers: [try authorization()],
                                               timeout: try deadline.remaining())
            return try await call(request)["task_id"]?.lenientString ?? ""
        } poll: { taskId, deadline in
            let request = UpstreamRequest(method: "GET", url: channel.baseURL + route.path + "/" + taskId,
                                          headers: [try authorization()], timeout: try deadline.remaining())
            return Self.interpret(try await call(request))
        }
    }

    /// Reads one poll answer: `submitted`/`processing` are running, `succeed` gives the image URLs, `failed` the
    /// task's error.
    static func interpret(_ data: JSONValue) -> PollAnswer {
        switch data["task_status"]?.lenientString {
        case "submitted", "processing": return .pending(.running)
        case "succeed": return .succeeded(.urls(imageURLs(data)))
        case "failed": return .failed(taskFailure(data["task_status_msg"]?.lenientString))
        // An unreadable answer ends the job at once: polling again would read the same.
        default: return .failed(UpstreamFailure.malformed("task_status"))
        }
    }

    private func authorization() throws -> (String, String) {
        if let accessKey = channel.accessKey, !accessKey.isEmpty {
            guard let secretKey = channel.secretKey, !secretKey.isEmpty else { throw Self.misconfigured }
            return ("Authorization", KlingJWT.authorization(accessKey: accessKey, secretKey: secretKey, now: clock()))
        }
        guard let apiKey = channel.apiKey, !apiKey.isEmpty else { throw Self.misconfigured }
        return ("Authorization", "Bearer " + apiKey)
    }

    private static let misconfigured = EngineError(code: "InternalError", message: "The Kling channel has no credentials.",
                                                   isRetryable: false)

    /// One exchange: the `data` of a `code == 0` envelope, or the error the HTTP status and `code` mean.
    private func call(_ request: UpstreamRequest) async throws -> JSONValue {
        let response = try await http.send(request)
        let body = response.json
        let code = body?["code"]?.lenientInt
        let message = body?["message"]?.lenientString
        guard (200..<300).contains(response.status) else {
            throw Self.failure(status: response.status, code: code, message: message, retryAfter: response.retryAfter)
        }
        guard let code else { throw UpstreamFailure.malformed("not a Kling envelope") }
        guard code == 0 else {
            throw Self.failure(status: response.status, code: code, message: message, retryAfter: response.retryAfter)
        }
        guard let data = body?["data"], data.objectValue != nil else { throw UpstreamFailure.malformed("no data") }
        return data
    }

    /// Kling's error codes (§8), which also arrive in HTTP 200, mapped per §12.
    static func failure(status: Int, code: Int64?, message: String?, retryAfter: Duration?) -> EngineError {
        switch code ?? -1 {
        case 1000...1004, 1103, 1304: return UpstreamFailure.classify(status: 401)
        case 1100: return EngineError(code: "InternalError", message: "The upstream account is restricted.", isRetryable: false)
        case 1101, 1102: return UpstreamFailure.classify(status: 402)
        case 1200, 1201: return UpstreamFailure.classify(status: 400, detail: message)
        case 1202, 1203: return UpstreamFailure.classify(status: 404)
        case 1300, 1301: return UpstreamFailure.inputBlocked()
        case 1302, 1303: return UpstreamFailure.classify(status: 429, retryAfter: retryAfter)
        case 5002: return UpstreamFailure.classify(status: 504, retryAfter: retryAfter)
        case 5000, 5001: return UpstreamFailure.classify(status: status >= 500 ? status : 503, retryAfter: retryAfter)
        default:
            if (200..<300).contains(status) {
                return EngineError(code: "InternalError", message: "The upstream reported error \(code ?? -1).",
                                   isRetryable: false)
            }
            return UpstreamFailure.classify(status: status, retryAfter: retryAfter, detail: status == 400 ? message : nil)
        }
    }

    static func taskFailure(_ message: String?) -> EngineError {
        let text = (message ?? "").lowercased()
        if ["risk", "sensitive", "safety", "violat", "moderation", "policy"].contains(where: text.contains) {
            return UpstreamFailure.outputBlocked()
        }
        return UpstreamFailure.noImage("The model failed" + (message.flatMap { $0.isEmpty ? nil : ": \($0)" } ?? "."))
    }

    static func imageURLs(_ data: JSONValue) -> [String] {
        let result = data["task_result"]
        // Omni series results come as `series_images` (§14: shape unconfirmed); read both lists.
        let items = (result?["images"]?.arrayValue ?? []) + (result?["series_images"]?.arrayValue ?? [])
        return items.compactMap { $0["url"]?.lenientString }.filter { !$0.isEmpty }
    }
}

/// Which endpoint and body a job needs (§8 "Endpoints by version" and "Fields").
struct KlingRoute {
    static let generations = "/v1/images/generations"
    static let multiImage = "/v1/images/multi-image2image"
    static let omni = "/v1/images/omni-image"

    let path: String
    let body: JSONValue

    init(job: EngineJob, channel: UpstreamChannel) throws {
        let request = job.request
        let refs = job.inputs
        let (model, maxRefs): (String, Int)
        switch request.modelVersion.lowercased() {
        case "2.1": (model, maxRefs, path) = ("kling-v2-1", 4, refs.count > 1 ? Self.multiImage : Self.generations)
        case "3.0": (model, maxRefs, path) = ("kling-v3", 1, Self.generations)
        case "3.0-omni": (model, maxRefs, path) = ("kling-v3-omni", 10, Self.omni)
        case "o1": (model, maxRefs, path) = ("kling-image-o1", 10, Self.omni)
        default: throw Self.invalid("Kling version \(request.modelVersion) is not served by this channel.")
        }
        guard refs.count <= maxRefs else {
            throw Self.invalid("Kling \(request.modelVersion) takes at most \(maxRefs) reference images.")
        }
        if request.sceneType == "image_expand" { throw Self.invalid("Kling image expansion is not served by this channel.") }
        var fields: [String: JSONValue] = [
            "model_name": .string(channel.upstreamModel(for: request) ?? model),
            "n": .int(Int64(job.imageCount)),
        ]
        fields["prompt"] = request.prompt.map(JSONValue.string)
        fields["aspect_ratio"] = request.aspectRatio.map(JSONValue.string)
        fields["watermark_info"] = request.logoAdd.map { .object(["enabled": .bool($0)]) }
        // Kling takes a URL or raw base64 (no `data:` prefix).
        let images = refs.map { JSONValue.string($0.sourceURL ?? $0.base64) }
        let resolution = request.resolution?.lowercased()
        switch path {
        case Self.omni:
            if !images.isEmpty { fields["image_list"] = .array(images.map { .object(["image": $0]) }) }
            fields["resolution"] = try resolution.map { try Self.check($0, ["1k", "2k", "4k"]) }
            for key in ["result_type", "series_amount"] { fields[key] = request.additionalParameters?[key] }
        case Self.multiImage:
            // §8 lists no resolution for multi-image2image, so the request's is not sent.
            fields["subject_image_list"] = .array(images.map { .object(["subject_image": $0]) })
            fields["negative_prompt"] = request.negativePrompt.map(JSONValue.string)
        default:
            fields["image"] = images.first
            fields["resolution"] = try resolution.map { try Self.check($0, ["1k", "2k"]) }
            // Some of Kling's docs refuse negative_prompt for image-to-image.
            if images.isEmpty { fields["negative_prompt"] = request.negativePrompt.map(JSONValue.string) }
        }
        body = .object(fields)
    }

    private static func check(_ value: String, _ allowed: [String]) throws -> JSONValue {
        guard allowed.contains(value) else { throw invalid("Resolution must be one of \(allowed.joined(separator: ", ")).") }
        return .string(value)
    }

    private static func invalid(_ message: String) -> EngineError {
        EngineError(code: "InvalidParameterValue", message: message, isRetryable: false)
    }
}
