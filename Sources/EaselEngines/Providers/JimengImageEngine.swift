import EaselCore
import Foundation

/// Jimeng 4.0 (`req_key=jimeng_t2i_v40`) on Volcengine Visual, per providers.md §4: `CVSync2AsyncSubmitTask`, then
/// `CVSync2AsyncGetResult` until `done`, every call signed with Volcengine V4 (region `cn-north-1`, service `cv`).
///
/// Options: `poll_interval_ms` (first poll delay, default 1000), `return_url` (`false` asks for base64 results),
/// `inline_images` (`true` sends references as `binary_data_base64` even when they have URLs), `scale`,
/// `min_ratio`, `max_ratio` (defaults for the same-named `AdditionalParameters`), `logo_language` (0 Chinese,
/// 1 English), `max_image_bytes`.
public struct JimengImageEngine: ImageEngine {
    public let name = "jimeng"
    private let client: VolcengineClient
    private let options: Options
    private let job: AsyncUpstreamJob

    static let reqKey = "jimeng_t2i_v40"
    static let apiVersion = "2022-08-31"
    static let areaRange = (1024 * 1024)...(4096 * 4096)

    /// The channel's options, read once.
    struct Options: Sendable {
        var returnURL = true
        var inlineImages = false
        var logoLanguage: Int64 = 0
        var defaults: [String: Double] = [:]
    }

    /// Creates the adapter, reading its options. `clock` dates the signatures.
    public init(channel: UpstreamChannel, http: UpstreamHTTP, clock: @escaping @Sendable () -> Date = Date.init) throws {
        let options = try ChannelOptions(channel, accepted: ["poll_interval_ms", "return_url", "inline_images", "scale",
                                                             "min_ratio", "max_ratio", "logo_language", "max_image_bytes"])
        var parsed = Options()
        parsed.returnURL = try options.flag("return_url") ?? true
        parsed.inlineImages = try options.flag("inline_images") ?? false
        parsed.logoLanguage = Int64(try options.integer("logo_language", in: 0...1, "0 (Chinese) or 1 (English)") ?? 0)
        parsed.defaults["scale"] = try options.number("scale", in: 0...1)
        for key in ["min_ratio", "max_ratio"] { parsed.defaults[key] = try options.number(key, in: 1.0 / 16...16) }
        self.options = parsed
        self.job = try AsyncUpstreamJob(channel: channel, options: options, http: http, initialProgress: 5,
                                        idRule: (AsyncUpstreamJob.anyID, "task id"))
        self.client = VolcengineClient(channel: channel, version: Self.apiVersion, http: http, clock: clock)
    }

    public func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        try await self.job.run(job, progress: progress) { _ in
            let data = try await call("CVSync2AsyncSubmitTask", body: .object(submitBody(job)))
            guard let id = data["task_id"]?.lenientString, !id.isEmpty else { throw UpstreamFailure.malformed("no task_id") }
            return id
        } poll: { taskId, _ in
            try Self.interpret(try await call("CVSync2AsyncGetResult", body: .object(pollBody(taskId, job.request))),
                               count: job.imageCount)
        }
    }

    /// Reads one `CVSync2AsyncGetResult` answer: `in_queue` is queued, `generating` running, `done` gives the images
    /// (inline base64 first, else URLs), `not_found` and `expired` are final; other statuses keep polling.
    static func interpret(_ data: JSONValue, count: Int) throws -> PollAnswer {
        switch data["status"]?.lenientString {
        case "in_queue": return .pending(.queued)
        case "generating": return .pending(.running)
        case "not_found":
            return .failed(EngineError(code: "InternalError", message: "The upstream no longer knows this task (not_found).",
                                       isRetryable: false))
        case "expired": return .failed(EngineError(code: "TaskTimeout", message: "The upstream task expired.", isRetryable: false))
        case "done": break
        default: return .pending(.unknown)
        }
        let limit = max(count, 1)
        let inline = data["binary_data_base64"]?.arrayValue?.compactMap(\.lenientString) ?? []
        if !inline.isEmpty {
            return .succeeded(.bytes(try inline.prefix(limit).map { text in
                guard let bytes = Data(base64Encoded: text) else { throw UpstreamFailure.malformed("result image") }
                return Array(bytes)
            }))
        }
        return .succeeded(.urls(Array((data["image_urls"]?.arrayValue?.compactMap(\.lenientString) ?? []).prefix(limit))))
    }

    // MARK: Requests

    func submitBody(_ job: EngineJob) -> [String: JSONValue] {
        var body: [String: JSONValue] = ["req_key": .string(Self.reqKey), "prompt": .string(job.request.prompt ?? "")]
        if !job.inputs.isEmpty {
            let urls = job.inputs.compactMap { $0.sourceURL.flatMap(Self.publicURL) }
            if urls.count == job.inputs.count, !options.inlineImages {
                body["image_urls"] = .array(urls.map(JSONValue.string))
            } else {
                // Accepted by the CV API family; unconfirmed for this req_key (providers.md §14).
                body["binary_data_base64"] = .array(job.inputs.map { .string($0.base64) })
            }
        }
        let request = job.request
        if request.size != nil || request.aspectRatio != nil {
            let size = Self.fitted(job.outputSize)
            body["width"] = .int(Int64(size.width))
            body["height"] = .int(Int64(size.height))
        } else if request.resolution != nil {
            body["size"] = .int(Int64(min(max(job.outputSize.pixels, Self.areaRange.lowerBound), Self.areaRange.upperBound)))
        }
        // Without any geometry the upstream default applies: 2048² with the ratio read from the prompt.
        if job.imageCount <= 1 { body["force_single"] = .bool(true) }
        if let seed = request.seed { body["seed"] = .int(seed) }
        if let scale = number("scale", request) { body["scale"] = .double(min(max(scale, 0), 1)) }
        for key in ["min_ratio", "max_ratio"] {
            if let ratio = number(key, request) { body[key] = .double(min(max(ratio, 1.0 / 16), 15.99)) }
        }
        return body
    }

    func pollBody(_ taskId: String, _ request: ImageRequest) -> [String: JSONValue] {
        var reqJSON: [String: JSONValue] = ["return_url": .bool(options.returnURL)]
        if request.logoAdd == true {
            reqJSON["logo_info"] = .object(["add_logo": .bool(true), "position": .int(0), "language": .int(options.logoLanguage),
                                            "opacity": .int(1)])
        }
        // `req_json` is a JSON document encoded as a string.
        let encoded = String(decoding: JSONValue.object(reqJSON).encoded(), as: UTF8.self)
        return ["req_key": .string(Self.reqKey), "task_id": .string(taskId), "req_json": .string(encoded)]
    }

    /// One signed call; returns `data` when `code` is 10000 and throws the mapped error otherwise.
    private func call(_ action: String, body: JSONValue) async throws -> JSONValue {
        let response = try await client.post(action, body: body)
        let json = response.json
        if let code = json?["code"]?.lenientInt {
            if code == 10000 { return json?["data"] ?? .null }
            throw Self.businessError(code, message: json?["message"]?.lenientString ?? "", status: response.status,
                                     retryAfter: response.retryAfter)
        }
        if let error = json?["ResponseMetadata"]?["Error"], error.objectValue != nil {
            throw Self.gatewayError(error["Code"]?.lenientString ?? "", status: response.status, retryAfter: response.retryAfter)
        }
        if response.status != 200 { throw UpstreamFailure.classify(status: response.status, retryAfter: response.retryAfter) }
        throw UpstreamFailure.malformed(json == nil ? "not JSON" : "no code")
    }

    // MARK: Mapping

    /// Errors carried in `code` (HTTP 200 or 4xx/5xx alike), per the table in providers.md §4.
    static func businessError(_ code: Int64, message: String, status: Int, retryAfter: Duration?) -> EngineError {
        let detail = message.isEmpty ? "code \(code)" : "\(message) (code \(code))"
        switch code {
        case 50411, 50412, 50413, 50518: return UpstreamFailure.inputBlocked("The provider's safety system rejected the input: \(detail).")
        case 50511, 50512, 50519: return UpstreamFailure.outputBlocked("The provider's safety system rejected the output: \(detail).")
        case 50429, 50430:
            return EngineError(code: "RequestLimitExceeded", message: "The upstream is rate limiting requests (code \(code)).",
                               isRetryable: true, retryAfter: retryAfter)
        case 50500, 50501, 50520, 50521, 50522:
            return EngineError(code: "InternalError", message: "The upstream failed (code \(code)).", isRetryable: true,
                               retryAfter: retryAfter)
        case 50200..<50300, 50400..<50411:
            return EngineError(code: "InvalidParameterValue", message: "The upstream refused the request: \(detail).", isRetryable: false)
        default:
            return status == 200 ? UpstreamFailure.noImage("The upstream failed the task: \(detail).")
                : UpstreamFailure.classify(status: status, retryAfter: retryAfter, detail: detail)
        }
    }

    /// Errors of the OpenAPI gateway (`ResponseMetadata.Error`): credentials are never described further.
    static func gatewayError(_ code: String, status: Int, retryAfter: Duration?) -> EngineError {
        let lowered = code.lowercased()
        if lowered.contains("signature") || lowered.contains("accesskey") || lowered.contains("authentication")
            || lowered.contains("authorization") || lowered.contains("token") || status == 401 || status == 403 {
            return EngineError(code: "InternalError", message: "The upstream rejected this server's credentials.", isRetryable: false)
        }
        if lowered.contains("limit") || lowered.contains("throttl") {
            return EngineError(code: "RequestLimitExceeded", message: "The upstream is rate limiting requests.",
                               isRetryable: true, retryAfter: retryAfter)
        }
        return UpstreamFailure.classify(status: status == 200 ? 500 : status, retryAfter: retryAfter)
    }

    /// The width × height nearest to `size` whose area lies in the documented range.
    static func fitted(_ size: PixelSize) -> PixelSize {
        let area = Double(size.pixels)
        let low = Double(areaRange.lowerBound), high = Double(areaRange.upperBound)
        guard area < low || area > high else { return size }
        let scale = ((area < low ? low : high) / area).squareRoot()
        let round: (Double) -> Int = area < low ? { Int(($0 - 1e-6).rounded(.up)) } : { Int(($0 + 1e-6).rounded(.down)) }
        return PixelSize(width: round(Double(size.width) * scale), height: round(Double(size.height) * scale))
    }

    static func publicURL(_ text: String) -> String? {
        let lowered = text.lowercased()
        return lowered.hasPrefix("https://") || lowered.hasPrefix("http://") ? text : nil
    }

    private func number(_ key: String, _ request: ImageRequest) -> Double? {
        switch request.additionalParameters?[key] {
        case .int(let value)?: Double(value)
        case .double(let value)?: value
        case .string(let text)?: Double(text)
        default: options.defaults[key]
        }
    }
}
