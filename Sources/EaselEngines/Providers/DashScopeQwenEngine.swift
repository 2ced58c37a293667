import EaselCore
import Foundation

/// Qwen-Image on Alibaba DashScope, per providers.md §5: the synchronous `multimodal-generation` endpoint (edits with
/// reference images, and text-to-image), or for `qwen-image-plus`/`qwen-image` text-to-image with `mode=async`, the
/// asynchronous `text2image/image-synthesis` task polled at `GET /tasks/{id}`.
///
/// Model ids: the route's upstream model when set; otherwise `qwen-image-2.0` for version `2.0`, and for `0925`
/// `qwen-image-edit-plus` with references / `qwen-image-plus` without (options `edit_model` / `t2i_model` override).
/// Other options: `mode` (`sync`, default, or `async`), `poll_interval_ms`, `inline_images` (`true` sends references
/// as data URLs even when they have URLs), `max_image_bytes`. Asynchronous tasks run on ``AsyncUpstreamJob``.
public struct DashScopeQwenEngine: ImageEngine {
    public let name = "dashscope"
    private let channel: UpstreamChannel
    private let http: UpstreamHTTP
    private let options: Options
    private let job: AsyncUpstreamJob

    /// The sizes `qwen-image-plus` and `qwen-image` accept (providers.md §5; 4:3 per the older doc, §14).
    static let fixedSizes = [PixelSize(width: 1664, height: 928), PixelSize(width: 1472, height: 1140),
                             PixelSize(width: 1328, height: 1328), PixelSize(width: 1140, height: 1472),
                             PixelSize(width: 928, height: 1664)]

    /// The channel's options, read once.
    struct Options: Sendable {
        var async: Bool
        var inlineImages: Bool
        var editModel: String?
        var textToImageModel: String?
    }

    /// Creates the adapter, reading its options.
    public init(channel: UpstreamChannel, http: UpstreamHTTP) throws {
        let options = try ChannelOptions(channel, accepted: ["mode", "poll_interval_ms", "inline_images", "max_image_bytes",
                                                             "edit_model", "t2i_model"])
        self.options = Options(async: try options.choice("mode", ["sync", "async"]) == "async",
                               inlineImages: try options.flag("inline_images") ?? false,
                               editModel: options.text("edit_model"), textToImageModel: options.text("t2i_model"))
        self.job = try AsyncUpstreamJob(channel: channel, options: options, http: http, initialProgress: 5,
                                        idRule: (AsyncUpstreamJob.anyID, "task id"))
        self.channel = channel
        self.http = http
    }

    public func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        let model = model(for: job)
        let resuming = !(job.resumeToken ?? "").isEmpty
        guard resuming || (options.async && job.inputs.isEmpty && Self.isFixedSize(model)) else {
            await progress(5)
            let json = try await send("POST", "/services/aigc/multimodal-generation/generation", body: syncBody(job, model: model))
            let content = json["output"]?["choices"]?.arrayValue?.first?["message"]?["content"]?.arrayValue ?? []
            let urls = content.compactMap { $0["image"]?.lenientString }.prefix(max(job.imageCount, 1))
            guard !urls.isEmpty else { throw UpstreamFailure.noImage() }
            let images = try await self.job.downloader.images(.urls(Array(urls)), deadline: JobDeadline(after: channel.timeout))
            await progress(100)
            return images
        }
        return try await self.job.run(job, progress: progress) { _ in
            let json = try await send("POST", "/services/aigc/text2image/image-synthesis", body: asyncBody(job, model: model))
            guard let id = json["output"]?["task_id"]?.lenientString, !id.isEmpty else { throw UpstreamFailure.malformed("no task_id") }
            return id
        } poll: { taskId, _ in
            guard let escaped = taskId.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-", "_"])) else {
                throw UpstreamFailure.malformed("task id")
            }
            return try Self.interpret(try await send("GET", "/tasks/\(escaped)")["output"] ?? .null, count: job.imageCount)
        }
    }

    /// Reads one poll answer's `output`: `PENDING` is queued, `RUNNING` running, `SUCCEEDED` gives the result URLs
    /// (or the first result's error when none has one), `FAILED`, `CANCELED` and `UNKNOWN` are final (a finished task
    /// fails the same way when polled again, so none of them is retryable).
    static func interpret(_ output: JSONValue, count: Int) throws -> PollAnswer {
        var failure: EngineError
        switch output["task_status"]?.lenientString {
        case "PENDING": return .pending(.queued)
        case "RUNNING": return .pending(.running)
        case "SUCCEEDED":
            let results = output["results"]?.arrayValue ?? []
            let urls = results.compactMap { $0["url"]?.lenientString }
            guard urls.isEmpty, let failed = results.first(where: { $0["code"] != nil }) else {
                return .succeeded(.urls(Array(urls.prefix(max(count, 1)))))
            }
            return .failed(error(code: failed["code"]?.lenientString ?? "", message: failed["message"]?.lenientString ?? "",
                                 status: 200, retryAfter: nil, taskLevel: true))
        case "FAILED":
            failure = error(code: output["code"]?.lenientString ?? "", message: output["message"]?.lenientString ?? "",
                            status: 200, retryAfter: nil, taskLevel: true)
        case "CANCELED": failure = EngineError(code: "InternalError", message: "The upstream task was canceled.", isRetryable: false)
        case "UNKNOWN":
            failure = EngineError(code: "InternalError", message: "The upstream no longer knows this task.", isRetryable: false)
        default: throw UpstreamFailure.malformed("no task_status")
        }
        failure.isRetryable = false
        return .failed(failure)
    }

    // MARK: Requests

    func model(for job: EngineJob) -> String {
        let request = job.request
        if let route = channel.upstreamModel(for: request) { return route }
        if request.modelVersion == "2.0" { return "qwen-image-2.0" }
        return job.inputs.isEmpty ? options.textToImageModel ?? "qwen-image-plus"
            : options.editModel ?? "qwen-image-edit-plus"
    }

    func syncBody(_ job: EngineJob, model: String) -> JSONValue {
        var content: [JSONValue] = job.inputs.map { input in
            let url = input.sourceURL.flatMap { $0.lowercased().hasPrefix("http") ? $0 : nil }
            return .object(["image": .string(options.inlineImages ? input.dataURL : url ?? input.dataURL)])
        }
        content.append(.object(["text": .string(job.request.prompt ?? "")]))
        var parameters = parameters(job, model: model)
        parameters["n"] = .int(Int64(min(max(job.imageCount, 1), Self.isFixedSize(model) ? 1 : 6)))
        let message = JSONValue.object(["role": .string("user"), "content": .array(content)])
        return .object(["model": .string(model), "input": .object(["messages": .array([message])]),
                        "parameters": .object(parameters)])
    }

    func asyncBody(_ job: EngineJob, model: String) -> JSONValue {
        var parameters = parameters(job, model: model)
        parameters["n"] = .int(1)
        return .object(["model": .string(model), "input": .object(["prompt": .string(job.request.prompt ?? "")]),
                        "parameters": .object(parameters)])
    }

    private func parameters(_ job: EngineJob, model: String) -> [String: JSONValue] {
        let request = job.request
        var parameters: [String: JSONValue] = ["watermark": .bool(request.logoAdd == true)]
        // Only an explicit size is sent; otherwise the model keeps its default (or the reference image's ratio).
        if request.size != nil {
            let size = Self.fitted(job.outputSize, model: model)
            parameters["size"] = .string("\(size.width)*\(size.height)")
        }
        if let negative = request.negativePrompt, !negative.isEmpty { parameters["negative_prompt"] = .string(negative) }
        if let extend = request.enhancePrompt { parameters["prompt_extend"] = .bool(extend) }
        if let seed = request.seed { parameters["seed"] = .int(seed >= 0 ? seed % 2_147_483_648 : -(seed + 1) % 2_147_483_648) }
        return parameters
    }

    /// One authorised call: the JSON answer of a 200, or the mapped error.
    private func send(_ method: String, _ path: String, body: JSONValue? = nil) async throws -> JSONValue {
        guard let apiKey = channel.apiKey, !apiKey.isEmpty else {
            throw EngineError(code: "InternalError", message: "The DashScope channel has no API key configured.", isRetryable: false)
        }
        let base = channel.baseURL.hasSuffix("/api/v1") ? channel.baseURL : channel.baseURL + "/api/v1"
        var headers = [("Authorization", "Bearer \(apiKey)")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        if path.hasSuffix("image-synthesis") { headers.append(("X-DashScope-Async", "enable")) }
        let response = try await http.send(UpstreamRequest(method: method, url: base + path, headers: headers,
                                                           body: body.map { Array($0.encoded()) } ?? [], timeout: channel.timeout))
        let json = response.json
        let code = json?["code"]?.lenientString ?? ""
        if response.status == 200, code.isEmpty, let json { return json }
        if !code.isEmpty {
            throw Self.error(code: code, message: json?["message"]?.lenientString ?? "", status: response.status,
                             retryAfter: response.retryAfter, taskLevel: false)
        }
        if response.status != 200 { throw UpstreamFailure.classify(status: response.status, retryAfter: response.retryAfter) }
        throw UpstreamFailure.malformed("not JSON")
    }

    // MARK: Mapping

    /// DashScope's `{"request_id","code","message"}` (or a failed task's `output.code`) as a task error.
    static func error(code: String, message: String, status: Int, retryAfter: Duration?, taskLevel: Bool) -> EngineError {
        let detail = message.isEmpty ? code : "\(message) (\(code))"
        switch code {
        case "DataInspectionFailed":
            // At submission it is the input that failed inspection; on a finished task, the output.
            return taskLevel ? UpstreamFailure.outputBlocked("The provider's safety system rejected the output: \(detail).")
                : UpstreamFailure.inputBlocked("The provider's safety system rejected the input: \(detail).")
        case "InvalidParameter.DataInspection": return UpstreamFailure.inputBlocked("The provider's safety system rejected the input: \(detail).")
        case "InvalidApiKey":
            return EngineError(code: "InternalError", message: "The upstream rejected this server's credentials.", isRetryable: false)
        case "Arrearage": return EngineError(code: "ResourceInsufficient", message: "The upstream account has no quota left.", isRetryable: false)
        case "RequestTimeOut": return EngineError(code: "TaskTimeout", message: "The upstream timed out.", isRetryable: true, retryAfter: retryAfter)
        case _ where code.hasPrefix("Throttling"):
            return EngineError(code: "RequestLimitExceeded", message: "The upstream is rate limiting requests (\(code)).",
                               isRetryable: true, retryAfter: retryAfter)
        case _ where code.hasPrefix("AccessDenied"):
            return EngineError(code: "InternalError", message: "The upstream account may not use this model (\(code)).", isRetryable: false)
        case _ where code.hasPrefix("InvalidParameter") || code.hasPrefix("BadRequest") || code == "InvalidURL":
            return EngineError(code: "InvalidParameterValue", message: "The upstream refused the request: \(detail).", isRetryable: false)
        case _ where code.hasPrefix("InternalError"):
            return EngineError(code: "InternalError", message: "The upstream failed (\(code)).", isRetryable: true, retryAfter: retryAfter)
        default:
            return status == 200 ? UpstreamFailure.noImage("The upstream failed the task: \(detail).")
                : UpstreamFailure.classify(status: status, retryAfter: retryAfter, detail: detail)
        }
    }

    static func isFixedSize(_ model: String) -> Bool { model == "qwen-image" || model.hasPrefix("qwen-image-plus") }

    /// `size` made acceptable to `model`: the nearest fixed size by ratio (qwen-image-plus), each side in
    /// [512, 2048] (edit models), or the area in [512², 2048²] (others).
    static func fitted(_ size: PixelSize, model: String) -> PixelSize {
        let ratio = Double(size.width) / Double(size.height)
        if isFixedSize(model) {
            return fixedSizes.min { abs(log(Double($0.width) / Double($0.height) / ratio))
                < abs(log(Double($1.width) / Double($1.height) / ratio)) } ?? size
        }
        let edit = model.contains("edit")
        let scale = edit
            ? max(min(1, 2048 / Double(max(size.width, size.height))), 512 / Double(min(size.width, size.height)))
            : min(max(1, (512.0 * 512 / Double(size.pixels)).squareRoot()), (2048.0 * 2048 / Double(size.pixels)).squareRoot())
        // Round away from the violated bound so the result stays inside it.
        let side = { (value: Int) -> Int in
            let scaled = Double(value) * scale
            let rounded = Int(scale > 1 ? (scaled - 1e-6).rounded(.up) : (scaled + 1e-6).rounded(.down))
            return edit ? min(max(rounded, 512), 2048) : rounded
        }
        return PixelSize(width: side(size.width), height: side(size.height))
    }
}
