import EaselCore
import Foundation

/// Vidu image generation (`Vidu` q2) through Vidu's asynchronous enterprise API (providers.md §7): submit to
/// `/ent/v2/reference2image`, record the task id, poll `/ent/v2/tasks/{id}/creations` until `success` or `failed`,
/// download the creations. Authenticates with `Authorization: Token <apiKey>`. The job runs on ``AsyncUpstreamJob``
/// (options `poll_interval_ms`, `max_image_bytes`); the whole job must finish within `channel.timeout`.
public struct ViduImageEngine: ImageEngine {
    public let name = "vidu"
    private let channel: UpstreamChannel
    private let http: UpstreamHTTP

    /// Vidu refuses request bodies over 20 MB (§7).
    static let maxBodyBytes = 20 * 1024 * 1024

    private let job: AsyncUpstreamJob

    /// Creates the engine, reading its options (`poll_interval_ms`, `max_image_bytes`).
    public init(channel: UpstreamChannel, http: UpstreamHTTP) throws {
        let options = try ChannelOptions(channel, accepted: ["poll_interval_ms", "max_image_bytes"])
        self.channel = channel
        self.http = http
        self.job = try AsyncUpstreamJob(channel: channel, options: options, http: http, initialProgress: 10,
                                        reportsCompletion: false)
    }

    public func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        let auth = try authorization()
        return try await self.job.run(job, progress: progress) { deadline in
            let request = UpstreamRequest.json(channel.baseURL + "/ent/v2/reference2image", body: try Self.body(for: job, channel: channel),
                                               headers: [auth], timeout: try deadline.remaining())
            guard request.body.count <= Self.maxBodyBytes else {
                throw Self.invalid("The reference images are too large for Vidu (20 MB per request).")
            }
            return try await call(request)["task_id"]?.lenientString ?? ""
        } poll: { taskId, deadline in
            let request = UpstreamRequest(method: "GET", url: channel.baseURL + "/ent/v2/tasks/\(taskId)/creations",
                                          headers: [auth], timeout: try deadline.remaining())
            return Self.interpret(try await call(request), watermarked: job.request.logoAdd == true)
        }
    }

    /// Reads one poll answer: `created`, `queueing` and `processing` are running (each poll moves progress on),
    /// `success` gives the creations, `failed` the task's `err_code`.
    static func interpret(_ answer: JSONValue, watermarked: Bool) -> PollAnswer {
        switch answer["state"]?.lenientString {
        case "created", "queueing", "processing": return .pending(.running)
        case "success": return .succeeded(.urls(creationURLs(answer, watermarked: watermarked)))
        case "failed": return .failed(failure(reason: answer["err_code"]?.lenientString, status: nil, message: nil, retryAfter: nil))
        // An unreadable answer ends the job at once: polling again would read the same.
        default: return .failed(UpstreamFailure.malformed("state"))
        }
    }

    /// The submit body (§7): model, prompt, images (URLs or data URLs), aspect_ratio, resolution, seed, payload.
    static func body(for job: EngineJob, channel: UpstreamChannel) throws -> JSONValue {
        let request = job.request
        guard let prompt = request.prompt, !prompt.isEmpty else { throw invalid("Vidu needs a prompt.") }
        guard job.inputs.count <= 7 else { throw invalid("Vidu q2 takes at most 7 reference images.") }
        var fields: [String: JSONValue] = [
            "model": .string(channel.upstreamModel(for: request) ?? "viduq2"),
            "prompt": .string(prompt),
            // Vidu echoes `payload` in every answer and callback, so the task can be traced back to ours.
            "payload": .string(job.taskId.rawValue),
        ]
        if !job.inputs.isEmpty { fields["images"] = .array(job.inputs.map { .string($0.sourceURL ?? $0.dataURL) }) }
        fields["aspect_ratio"] = request.aspectRatio.map(JSONValue.string)
        if let resolution = request.resolution {
            switch resolution.lowercased() {
            case "1080p": fields["resolution"] = .string("1080p")
            case "2k": fields["resolution"] = .string("2K")
            case "4k": fields["resolution"] = .string("4K")
            default: throw invalid("Resolution must be one of 1080p, 2K, 4K.")
            }
        }
        fields["seed"] = request.seed.map(JSONValue.int)
        return .object(fields)
    }

    private func authorization() throws -> (String, String) {
        guard let apiKey = channel.apiKey, !apiKey.isEmpty else {
            throw EngineError(code: "InternalError", message: "The Vidu channel has no API key.", isRetryable: false)
        }
        return ("Authorization", "Token " + apiKey)
    }

    /// One exchange: the JSON object of a 2xx answer, or the error its status and `reason` mean.
    private func call(_ request: UpstreamRequest) async throws -> JSONValue {
        let response = try await http.send(request)
        let body = response.json
        guard (200..<300).contains(response.status) else {
            throw Self.failure(reason: body?["reason"]?.lenientString, status: response.status,
                               message: body?["message"]?.lenientString, retryAfter: response.retryAfter)
        }
        guard let body, body.objectValue != nil else { throw UpstreamFailure.malformed("not a JSON object") }
        return body
    }

    /// Vidu's `reason` (HTTP errors) or `err_code` (failed tasks, `status == nil`), mapped per §7 and §12.
    static func failure(reason: String?, status: Int?, message: String?, retryAfter: Duration?) -> EngineError {
        switch reason ?? "" {
        case "AuditSubmitIllegal", "TaskPromptPolicyViolation": return UpstreamFailure.inputBlocked()
        case "CreationPolicyViolation": return UpstreamFailure.outputBlocked()
        case "CreditInsufficient": return UpstreamFailure.classify(status: 402)
        case "QuotaExceeded", "TooManyRequests", "SystemThrottling":
            return UpstreamFailure.classify(status: 429, retryAfter: retryAfter)
        case "Unauthorized", "Forbidden": return UpstreamFailure.classify(status: 401)
        case "TaskNotFound", "CreationNotFound", "NotFound": return UpstreamFailure.classify(status: 404)
        case "InternalServiceFailure": return UpstreamFailure.classify(status: status ?? 500, retryAfter: retryAfter)
        case "BadRequest", "FieldLacking", "FieldUnwanted", "FieldItemCountOutOfRange", "FieldInvalid", "PageSizeOutOfRange",
             "ImageDownloadFailure", "ImageFormatInvalid", "ModelUnavailable", "OperationInProcess":
            let detail = [reason, message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return UpstreamFailure.classify(status: 400, detail: detail)
        default:
            guard let status else {
                let code = reason.flatMap { $0.isEmpty ? nil : " (\($0))" } ?? ""
                return UpstreamFailure.noImage("The model failed\(code).")
            }
            return UpstreamFailure.classify(status: status, retryAfter: retryAfter, detail: status == 400 ? message : nil)
        }
    }

    /// `creations[].url`, or `watermarked_url` when a visible logo was asked for (and Vidu returned one).
    static func creationURLs(_ answer: JSONValue, watermarked: Bool) -> [String] {
        (answer["creations"]?.arrayValue ?? []).compactMap { creation in
            let marked = watermarked ? creation["watermarked_url"]?.lenientString : nil
            return marked.flatMap { $0.isEmpty ? nil : $0 } ?? creation["url"]?.lenientString
        }.filter { !$0.isEmpty }
    }

    private static func invalid(_ message: String) -> EngineError {
        EngineError(code: "InvalidParameterValue", message: message, isRetryable: false)
    }
}
