import EaselCore
import Foundation

/// Hunyuan Image 3.0 through Tencent Cloud aiart (2022-12-29): `SubmitTextToImageJob`, then `QueryTextToImageJob`
/// until `JobStatusCode` is `"5"` (done) or `"4"` (failed), then the result URLs are downloaded. One image per job.
///
/// The channel gives the endpoint (`https://aiart.tencentcloudapi.com`), the SecretId (`accessKey`), SecretKey and
/// region (default `ap-guangzhou`); `options["poll_interval_ms"]` shortens the first poll interval.
public struct HunyuanImageEngine: ImageEngine {
    public let name = "hunyuan"
    public let isSandbox = false
    private let channel: UpstreamChannel
    private let http: UpstreamHTTP
    private let clock: @Sendable () -> Date

    /// The aiart API version.
    public static let version = "2022-12-29"
    /// The suffix that turns a prompt into a panorama request (`SceneType = 3d_panorama`; no panorama API exists).
    static let panoramaSuffix = ", 360-degree equirectangular panorama, seamless 2:1 wide view"

    /// Creates the engine for a `hunyuan` channel; `clock` stamps request signatures.
    public init(channel: UpstreamChannel, http: UpstreamHTTP, clock: @escaping @Sendable () -> Date = Date.init) {
        self.channel = channel
        self.http = http
        self.clock = clock
    }

    public func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        let client = try TencentAPIClient(channel: channel, service: "aiart", version: Self.version,
                                          defaultRegion: "ap-guangzhou", http: http, clock: clock)
        let polling = TencentPolling(channel: channel)
        let jobId: String
        if let token = job.resumeToken, !token.isEmpty {
            jobId = token
        } else {
            let submitted = try await client.call("SubmitTextToImageJob", try Self.submitParameters(job),
                                                  timeout: polling.requestTimeout)
            guard let id = submitted["JobId"]?.lenientString, !id.isEmpty else {
                throw UpstreamFailure.malformed("SubmitTextToImageJob returned no JobId")
            }
            await job.checkpoint(id)
            jobId = id
        }
        var reported = 5
        await progress(reported)
        let urls = try await polling.run { () async throws -> TencentPollStep<[String]> in
            let answer = try await client.call("QueryTextToImageJob", ["JobId": .string(jobId)],
                                               timeout: polling.requestTimeout)
            let step = try Self.interpret(answer, redactor: client.redactor)
            if case .pending = step {
                reported = answer["JobStatusCode"]?.lenientString == "1" ? max(reported, 10) : min(90, max(reported + 10, 20))
                await progress(reported)
            }
            return step
        }
        return try await polling.download(urls, http: http) { done in
            await progress(max(reported, 90 + 10 * done / max(urls.count, 1)))
        }
    }

    /// The `SubmitTextToImageJob` body: Prompt, Images (reference URLs), Resolution `W:H`, LogoAdd (0 unless asked
    /// for, since the upstream adds a logo by default), Revise (from EnhancePrompt, when given) and Seed.
    static func submitParameters(_ job: EngineJob) throws -> [String: JSONValue] {
        let request = job.request
        guard var prompt = request.prompt, !prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
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
        var images: [JSONValue] = []
        for (index, input) in job.inputs.enumerated() {
            guard let url = input.sourceURL, !url.isEmpty else {
                throw EngineError(code: "InvalidParameterValue",
                                  message: "FileInfos.\(index) has no URL; Hunyuan takes reference images only as public URLs.",
                                  isRetryable: false)
            }
            images.append(.string(url))
        }
        if !images.isEmpty { parameters["Images"] = .array(images) }
        if let enhance = request.enhancePrompt { parameters["Revise"] = .int(enhance ? 1 : 0) }
        if let seed = request.seed { parameters["Seed"] = .int(seed) }
        return parameters
    }

    /// Reads a `QueryTextToImageJob` answer: `"1"` waiting and `"2"` running are pending, `"5"` gives the result
    /// URLs, `"4"` the job's error (`JobErrorCode`, `JobErrorMsg`).
    static func interpret(_ answer: [String: JSONValue], redactor: TencentRedactor) throws -> TencentPollStep<[String]> {
        guard let status = answer["JobStatusCode"]?.lenientString else {
            throw UpstreamFailure.malformed("QueryTextToImageJob returned no JobStatusCode")
        }
        switch status {
        case "5":
            let urls = (answer["ResultImage"]?.arrayValue ?? []).compactMap(\.lenientString).filter { !$0.isEmpty }
            return urls.isEmpty ? .failed(UpstreamFailure.noImage()) : .finished(urls)
        case "4":
            let code = answer["JobErrorCode"]?.lenientString ?? ""
            let message = answer["JobErrorMsg"]?.lenientString ?? ""
            if code.isEmpty {
                let detail = redactor.redact(message)
                return .failed(UpstreamFailure.noImage("The Hunyuan job failed" + (detail.isEmpty ? "." : ": \(detail)")))
            }
            return .failed(TencentAPIClient.engineError(code: code, message: message, stage: .job, redactor: redactor))
        default:
            // "1", "2", and any status this adapter does not know yet: keep polling until the deadline.
            return .pending
        }
    }
}
