import EaselCore
import Foundation

/// Forwards a task to real Tencent Cloud VOD (2018-07-17), as the reseller proxies do: `CreateAigcImageTask`, then
/// `DescribeTaskDetail` until the task is `FINISH` or `ABORTED`, then the temporary output URLs are downloaded.
///
/// By default it calls the Tencent API 3.0 at the channel's base URL (`https://vod.tencentcloudapi.com`) with TC3
/// signatures (SecretId in `accessKey`, SecretKey in `secretKey`) and `options["sub_app_id"]`. With
/// `options["mode"] == "rest"` it calls a reseller proxy instead: `POST {baseURL}/tencent-vod/v1/aigc-image` with
/// a snake_case body and `Authorization: Bearer <apiKey>`, polled with `GET {baseURL}/tencent-vod/v1/query/{id}`.
/// A model route's upstream model `NAME/VERSION` replaces the catalog name and version.
public struct VODPassthroughEngine: ImageEngine {
    public let name = "vod"
    private let channel: UpstreamChannel
    // Made once from the channel and its options; a channel without credentials fails its tasks, not the start.
    private let transport: Result<VODTransport, any Error>
    private let job: AsyncUpstreamJob

    /// The VOD API version.
    public static let version = "2018-07-17"

    /// Creates the engine for a `vod` channel, reading its options (`mode`, `sub_app_id`, `poll_interval_ms`,
    /// `max_image_bytes`); `clock` stamps request signatures.
    public init(channel: UpstreamChannel, http: UpstreamHTTP, clock: @escaping @Sendable () -> Date = Date.init) throws {
        let options = try ChannelOptions(channel, accepted: ["mode", "sub_app_id", "poll_interval_ms", "max_image_bytes"])
        let rest = try options.choice("mode", ["api", "rest"]) == "rest"
        let subAppId = try options.integer("sub_app_id", in: 0..., "a whole number (the VOD SubAppId)").map(Int64.init)
        self.job = try .tencent(channel, options: options, http: http)
        self.channel = channel
        self.transport = Result { try VODTransport(channel: channel, rest: rest, subAppId: subAppId, http: http, clock: clock) }
    }

    public func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        let transport = try transport.get()
        return try await self.job.run(job, progress: progress) { deadline in
            try await transport.create(try Self.createParameters(job, channel: channel), timeout: deadline.requestTimeout)
        } poll: { taskId, deadline in
            try Self.interpret(try await transport.describe(taskId, timeout: deadline.requestTimeout), redactor: transport.redactor)
        }
    }

    /// The `CreateAigcImageTask` parameters (without `SubAppId`, which only the API mode adds). Outputs are always
    /// `Temporary`: Easel downloads and stores them itself.
    static func createParameters(_ job: EngineJob, channel: UpstreamChannel) throws -> [String: JSONValue] {
        let request = job.request
        var modelName = request.modelName
        var modelVersion = request.modelVersion
        if let override = channel.upstreamModel(name: modelName, version: modelVersion), !override.isEmpty {
            let parts = override.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            modelName = String(parts[0])
            if parts.count == 2 { modelVersion = String(parts[1]) }
        }
        var parameters: [String: JSONValue] = ["ModelName": .string(modelName), "ModelVersion": .string(modelVersion)]
        put(request.prompt, "Prompt", into: &parameters)
        put(request.negativePrompt, "NegativePrompt", into: &parameters)
        put(request.enhancePrompt.map(switchValue), "EnhancePrompt", into: &parameters)
        var files: [JSONValue] = []
        for (input, url) in zip(job.inputs, try job.inputURLs(for: "the VOD upstream")) {
            var file: [String: JSONValue] = ["Type": .string("Url"), "Url": .string(url)]
            put(input.text, "Text", into: &file)
            put(input.referenceType, "ReferenceType", into: &file)
            files.append(.object(file))
        }
        if !files.isEmpty { parameters["FileInfos"] = .array(files) }
        var output: [String: JSONValue] = ["StorageMode": .string("Temporary")]
        put(request.resolution, "Resolution", into: &output)
        put(request.aspectRatio, "AspectRatio", into: &output)
        put(request.personGeneration, "PersonGeneration", into: &output)
        put(request.inputComplianceCheck.map(switchValue), "InputComplianceCheck", into: &output)
        put(request.outputComplianceCheck.map(switchValue), "OutputComplianceCheck", into: &output)
        if request.outputImageCount != nil || job.imageCount != 1 { output["OutputImageCount"] = .int(Int64(job.imageCount)) }
        put(request.outputFormat, "OutputFormat", into: &output)
        put(request.logoAdd.map(switchValue), "LogoAdd", into: &output)
        parameters["OutputConfig"] = .object(output)
        if let seed = request.seed { parameters["Seed"] = .int(seed) }
        put(request.sceneType, "SceneType", into: &parameters)
        put(request.inputRegion, "InputRegion", into: &parameters)
        put(request.extInfo, "ExtInfo", into: &parameters)
        return parameters
    }

    /// Reads a `DescribeTaskDetail` answer: `WAITING`/`PROCESSING` are pending; `FINISH` with `ErrCode` 0 gives
    /// the output URLs, otherwise the task's `ErrCodeExt` and `Message`; `ABORTED` is `OperationCanceled`.
    static func interpret(_ detail: [String: JSONValue], redactor: TencentRedactor) throws -> PollAnswer {
        guard let status = detail["Status"]?.lenientString?.uppercased() else {
            throw UpstreamFailure.malformed("DescribeTaskDetail returned no Status")
        }
        switch status {
        case "WAITING":
            return .pending(.queued)
        case "PROCESSING":
            let percent = detail["AigcImageTask"]?["Progress"]?.lenientInt
            return .pending(percent.map { .percent(10 + Int(min(max($0, 0), 100)) * 8 / 10) } ?? .running)
        case "ABORTED":
            return .failed(EngineError(code: "OperationCanceled", message: "The upstream task was aborted.", isRetryable: false))
        case "FINISH":
            guard let task = detail["AigcImageTask"], task.objectValue != nil else {
                throw UpstreamFailure.malformed("a finished task has no AigcImageTask")
            }
            let errCode = task["ErrCode"]?.lenientInt ?? 0
            let errCodeExt = task["ErrCodeExt"]?.lenientString ?? ""
            if errCode != 0 || !errCodeExt.isEmpty {
                return .failed(taskError(errCode: errCode, errCodeExt: errCodeExt,
                                         message: task["Message"]?.lenientString ?? "", redactor: redactor))
            }
            let files = task["Output"]?["FileInfos"]?.arrayValue ?? []
            let urls = files.compactMap { $0["FileUrl"]?.lenientString }.filter { !$0.isEmpty }
            return urls.isEmpty ? .failed(UpstreamFailure.noImage("The upstream task finished without an output URL."))
                                : .succeeded(.urls(urls))
        default:
            throw UpstreamFailure.malformed("unknown task Status")
        }
    }

    /// A failed upstream task keeps its `ErrCodeExt` (VOD's task-level vocabulary is ours) and its message.
    static func taskError(errCode: Int64, errCodeExt: String, message: String, redactor: TencentRedactor) -> EngineError {
        let code = errCodeExt.isEmpty ? "InternalError" : errCodeExt
        let text = redactor.redact(message)
        // FailedOperation is VOD's "model tasks piling up"; these may succeed when run again.
        let retryable: Set = ["RequestLimitExceeded", "InternalError", "TaskTimeout", "FailedOperation"]
        return EngineError(code: code, message: text.isEmpty ? "The upstream task failed (ErrCode \(errCode))." : text,
                           isRetryable: retryable.contains(code))
    }

    private static func switchValue(_ on: Bool) -> String { on ? "Enabled" : "Disabled" }

    private static func put(_ value: String?, _ key: String, into object: inout [String: JSONValue]) {
        if let value, !value.isEmpty { object[key] = .string(value) }
    }
}

/// How the engine reaches VOD: the Tencent API 3.0 itself, or a reseller's REST proxy.
private enum VODTransport: Sendable {
    case api(TencentAPIClient, subAppId: Int64)
    case rest(baseURL: String, apiKey: String, http: UpstreamHTTP, redactor: TencentRedactor)

    init(channel: UpstreamChannel, rest: Bool, subAppId: Int64?, http: UpstreamHTTP,
         clock: @escaping @Sendable () -> Date) throws {
        if rest {
            guard let apiKey = channel.apiKey, !apiKey.isEmpty else {
                throw TencentAPIClient.configurationError("channel `\(channel.name)` has no API key for the REST proxy")
            }
            self = .rest(baseURL: channel.baseURL, apiKey: apiKey, http: http, redactor: TencentRedactor(channel: channel))
            return
        }
        guard let subAppId else {
            throw TencentAPIClient.configurationError("channel `\(channel.name)` needs an integer `sub_app_id` option")
        }
        let client = try TencentAPIClient(channel: channel, service: "vod", version: VODPassthroughEngine.version,
                                          defaultRegion: nil, http: http, clock: clock)
        self = .api(client, subAppId: subAppId)
    }

    var redactor: TencentRedactor {
        switch self {
        case .api(let client, _): client.redactor
        case .rest(_, _, _, let redactor): redactor
        }
    }

    /// Creates the upstream task and returns its TaskId.
    func create(_ parameters: [String: JSONValue], timeout: Duration) async throws -> String {
        let answer: [String: JSONValue]
        switch self {
        case .api(let client, let subAppId):
            var body = parameters
            body["SubAppId"] = .int(subAppId)
            answer = try await client.call("CreateAigcImageTask", body, timeout: timeout)
        case .rest(let baseURL, let apiKey, let http, let redactor):
            let request = UpstreamRequest.json(baseURL + "/tencent-vod/v1/aigc-image", body: Self.snakeCased(.object(parameters)),
                                               headers: [("Authorization", "Bearer \(apiKey)")], timeout: timeout)
            answer = try TencentAPIClient.unwrap(try await http.send(request), redactor: redactor)
        }
        guard let taskId = answer["TaskId"]?.lenientString, !taskId.isEmpty else {
            throw UpstreamFailure.malformed("CreateAigcImageTask returned no TaskId")
        }
        return taskId
    }

    /// The `DescribeTaskDetail` response object of a task.
    func describe(_ taskId: String, timeout: Duration) async throws -> [String: JSONValue] {
        switch self {
        case .api(let client, let subAppId):
            return try await client.call("DescribeTaskDetail", ["TaskId": .string(taskId), "SubAppId": .int(subAppId)],
                                         timeout: timeout)
        case .rest(let baseURL, let apiKey, let http, let redactor):
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let segment = taskId.addingPercentEncoding(withAllowedCharacters: allowed) ?? taskId
            let request = UpstreamRequest(method: "GET", url: baseURL + "/tencent-vod/v1/query/" + segment,
                                          headers: [("Authorization", "Bearer \(apiKey)")], timeout: timeout,
                                          maxResponseBytes: 4 << 20)
            return try TencentAPIClient.unwrap(try await http.send(request), redactor: redactor)
        }
    }

    /// `OutputConfig` → `output_config`, recursively (the proxies' spelling of the same fields).
    static func snakeCased(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            .object(Dictionary(members.map { (RESTKeys.snakePath($0.key), snakeCased($0.value)) }, uniquingKeysWith: { first, _ in first }))
        case .array(let items):
            .array(items.map(snakeCased))
        default:
            value
        }
    }
}
