import EaselCore
import Foundation

/// Hunyuan Image 3.0 through Tencent Cloud aiart (2022-12-29): `SubmitTextToImageJob`, then `QueryTextToImageJob`
/// until `JobStatusCode` is `"5"` (done) or `"4"` (failed), then the result URLs are downloaded. One image per job.
///
/// The channel gives the endpoint (`https://aiart.tencentcloudapi.com`), the SecretId (`accessKey`), SecretKey and
/// region (default `ap-guangzhou`); options `poll_interval_ms` and `max_image_bytes` tune the ``AsyncUpstreamJob``.
public struct HunyuanImageEngine: ImageEngine {
    public let name = "hunyuan"
    // Made once from the channel; a channel without credentials fails its tasks, not the server's start.
    private let client: Result<TencentAPIClient, any Error>
    private let job: AsyncUpstreamJob

    /// The aiart API version.
    public static let version = "2022-12-29"
    /// The suffix that turns a prompt into a panorama request (`SceneType = 3d_panorama`; no panorama API exists).
    static let panoramaSuffix = ", 360-degree equirectangular panorama, seamless 2:1 wide view"

    /// Creates the engine for a `hunyuan` channel; `clock` stamps request signatures.
    public init(channel: UpstreamChannel, http: UpstreamHTTP, clock: @escaping @Sendable () -> Date = Date.init) throws {
        let options = try ChannelOptions(channel, accepted: ["poll_interval_ms", "max_image_bytes"])
        self.job = try .tencent(channel, options: options, http: http)
        self.client = Result {
            try TencentAPIClient(channel: channel, service: "aiart", version: Self.version, defaultRegion: "ap-guangzhou",
                                 http: http, clock: clock)
        }
    }

    public func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        let client = try client.get()
        return try await self.job.run(job, progress: progress) { deadline in
            let submitted = try await client.call("SubmitTextToImageJob", try Self.submitParameters(job),
                                                  timeout: deadline.requestTimeout)
            guard let id = submitted["JobId"]?.lenientString, !id.isEmpty else {
                throw UpstreamFailure.malformed("SubmitTextToImageJob returned no JobId")
            }
            return id
        } poll: { jobId, deadline in
            let answer = try await client.call("QueryTextToImageJob", ["JobId": .string(jobId)], timeout: deadline.requestTimeout)
            return try Self.interpret(answer, redactor: client.redactor)
        }
    }

    /// The `SubmitTextToImageJob` body: Prompt, Images (reference URLs), Resolution `W:H`, LogoAdd (0 unless asked
    /// for, since the upstream adds a logo by default), Revise (from EnhancePrompt, when given) and Seed.
    static func submitParameters(_ job: EngineJob) throws -> [String: JSONValue] {
        let request = job.request
        guard var prompt = request.prompt, !prompt.trimmingWhitespaceAndNewlines().isEmpty else {
            throw EngineError(code: "InvalidParameterValue", message: "Hunyuan needs a Prompt.", isRetryable: false)
        }
        var size = job.outputSize
        if request.sceneType?.lowercased() == "3d_panorama" {
            prompt += panoramaSuffix
            // 1440×720 is 2:1 and within the upstream's limits (sides 512–2048, area ≤ 1024²).
            if size.width != 2 * size.height { size = PixelSize(width: 1440, height: 720) }
        }
        var parameters: [String: JSONValue] = [
            "Prompt": .string(prompt),
            "Resolution": .string("\(size.width):\(size.height)"),
            "LogoAdd": .int(request.logoAdd == true ? 1 : 0),
        ]
        let images = try job.inputURLs(for: "Hunyuan")
        if !images.isEmpty { parameters["Images"] = .array(images.map(JSONValue.string)) }
        if let enhance = request.enhancePrompt { parameters["Revise"] = .int(enhance ? 1 : 0) }
        if let seed = request.seed { parameters["Seed"] = .int(seed) }
        return parameters
    }

    /// Reads a `QueryTextToImageJob` answer: `"1"` waiting and `"2"` running are pending, `"5"` gives the result
    /// URLs, `"4"` the job's error (`JobErrorCode`, `JobErrorMsg`).
    static func interpret(_ answer: [String: JSONValue], redactor: TencentRedactor) throws -> PollAnswer {
        guard let status = answer["JobStatusCode"]?.lenientString else {
            throw UpstreamFailure.malformed("QueryTextToImageJob returned no JobStatusCode")
        }
        switch status {
        case "5":
            let urls = (answer["ResultImage"]?.arrayValue ?? []).compactMap(\.lenientString).filter { !$0.isEmpty }
            return urls.isEmpty ? .failed(UpstreamFailure.noImage()) : .succeeded(.urls(urls))
        case "4":
            let code = answer["JobErrorCode"]?.lenientString ?? ""
            let message = answer["JobErrorMsg"]?.lenientString ?? ""
            if code.isEmpty {
                let detail = redactor.redact(message)
                return .failed(UpstreamFailure.noImage("The Hunyuan job failed" + (detail.isEmpty ? "." : ": \(detail)")))
            }
            return .failed(TencentAPIClient.engineError(code: code, message: message, stage: .job, redactor: redactor))
        case "1":
            return .pending(.queued)
        default:
            // "2", and any status this adapter does not know yet: keep polling until the deadline.
            return .pending(.running)
        }
    }
}
