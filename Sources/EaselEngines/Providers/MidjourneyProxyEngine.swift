import EaselCore
import Foundation

/// Midjourney v7 through a midjourney-proxy server (novicezk/midjourney-proxy and relays that copy its `/mj` API,
/// providers.md §9): `POST /mj/submit/imagine`, record the job id, poll `GET /mj/task/{id}/fetch` until it finishes,
/// download `imageUrl`.
///
/// One job yields one 2×2 grid, and it is returned as one image (our choice): cropping the quadrants would need a
/// decoder for whatever format the CDN serves, and upscales are four more jobs. Requests for several images are
/// therefore refused (`unsupportedReason`). Cancellation stops polling but leaves the upstream job alone, so a task
/// put back in the queue at shutdown can resume it.
///
/// Options: `poll_interval_ms` and `max_image_bytes` (of the ``AsyncUpstreamJob``), `auth` = `bearer` for relays that
/// take `Authorization: Bearer` instead of `mj-api-secret`. Polls and the download must finish within `channel.timeout`.
public struct MidjourneyProxyEngine: ImageEngine {
    public let name = "midjourney"
    private let channel: UpstreamChannel
    private let http: UpstreamHTTP
    private let bearer: Bool
    private let job: AsyncUpstreamJob

    /// Creates the adapter for a `midjourney` channel, reading its options.
    public init(channel: UpstreamChannel, http: UpstreamHTTP) throws {
        let options = try ChannelOptions(channel, accepted: ["poll_interval_ms", "max_image_bytes", "auth"])
        let bearer = try options.choice("auth", ["bearer", "mj-api-secret"]) == "bearer"
        let secret = Self.authorization(channel.apiKey, bearer: bearer)
        let base = URLComponents(string: channel.baseURL)
        self.job = try AsyncUpstreamJob(channel: channel, options: options, http: http,
                                        timedOut: JobDeadline.timedOut(by: "Midjourney"), initialProgress: nil,
                                        idRule: (AsyncUpstreamJob.isPlainID, "job id")) { url in
            // The secret goes only to the proxy itself, never to the CDN hosting the grid.
            let target = URLComponents(string: url)
            let sameOrigin = base?.scheme == target?.scheme && base?.host == target?.host && base?.port == target?.port
            return sameOrigin ? secret : []
        }
        self.bearer = bearer
        self.channel = channel
        self.http = http
    }

    public func unsupportedReason(for request: ImageRequest) -> String? {
        (request.outputImageCount ?? 1) > 1 ? "Midjourney returns one 2x2 grid image per task; ask for one image." : nil
    }

    public func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        try await self.job.run(job, progress: progress) { _ in
            try await submit(job)
        } poll: { id, _ in
            try Self.interpret(try await fetch(id), baseURL: channel.baseURL)
        }
    }

    // MARK: Submit

    private func submit(_ job: EngineJob) async throws -> String {
        var body: [String: JSONValue] = ["prompt": .string(Self.prompt(for: job)), "state": .string(job.taskId.rawValue)]
        if !job.inputs.isEmpty { body["base64Array"] = .array(job.inputs.map { .string($0.dataURL) }) }
        let response = try await http.send(.json(url("/mj/submit/imagine"), body: .object(body), headers: auth,
                                                 timeout: channel.timeout))
        guard response.status == 200 else { throw Self.httpFailure(response) }
        guard let answer = response.json, let code = answer["code"]?.lenientInt else {
            throw UpstreamFailure.malformed("submit answer")
        }
        let description = answer["description"]?.lenientString.map { String($0.prefix(300)) }
        switch code {
        case 1, 21, 22:
            // 21 "existed" and 22 "in queue" still name the job in `result`.
            guard let id = answer["result"]?.lenientString, !id.isEmpty else { throw UpstreamFailure.malformed("no job id") }
            return id
        case 23:
            throw UpstreamFailure.classify(status: 429, retryAfter: response.retryAfter)
        case 24:
            throw UpstreamFailure.inputBlocked("The prompt was rejected by Midjourney's content filter.")
        case 4:
            throw UpstreamFailure.classify(status: 400, detail: description)
        case 3:
            throw EngineError(code: "InternalError", message: "The Midjourney proxy has no usable account.", isRetryable: false)
        default:
            throw EngineError(code: "InternalError", message: "The Midjourney proxy failed to submit the job (code \(code)).",
                              isRetryable: true)
        }
    }

    /// The imagine prompt: the client's text with newlines flattened, its own `--v` replaced by `--v 7`, then
    /// `--ar`, `--seed` (unless the text sets them) and `--no`.
    static func prompt(for job: EngineJob) -> String {
        let request = job.request
        var tokens = (request.prompt ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
        if let index = tokens.firstIndex(where: { ["--v", "--version"].contains($0.lowercased()) }) {
            tokens.removeSubrange(index..<min(index + 2, tokens.count))
        }
        let sets = { (names: [String]) in tokens.contains { names.contains($0.lowercased()) } }
        tokens.append(contentsOf: ["--v", "7"])
        if !sets(["--ar", "--aspect"]) { tokens.append(contentsOf: ["--ar", aspectRatio(request.aspectRatio, job.outputSize)]) }
        if let seed = request.seed, !sets(["--seed"]) {
            // Midjourney takes 0…4294967295; other seeds wrap, deterministically.
            tokens.append(contentsOf: ["--seed", String(UInt32(truncatingIfNeeded: seed))])
        }
        // `--` inside the negative prompt would smuggle in parameters of its own.
        let negative = (request.negativePrompt ?? "").replacingOccurrences(of: "--", with: " ")
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if !negative.isEmpty { tokens.append(contentsOf: ["--no", negative]) }
        return tokens.joined(separator: " ")
    }

    static func aspectRatio(_ ratio: String?, _ size: PixelSize) -> String {
        if let ratio, let colon = ratio.firstIndex(of: ":"), Int(ratio[..<colon]) != nil,
           Int(ratio[ratio.index(after: colon)...]) != nil {
            return ratio
        }
        var (a, b) = (max(size.width, 1), max(size.height, 1))
        while b != 0 { (a, b) = (b, a % b) }
        return "\(max(size.width, 1) / a):\(max(size.height, 1) / a)"
    }

    // MARK: Poll

    /// Reads one fetched job: `SUCCESS` gives `imageUrl` (relative links are the proxy's own), `FAILURE` and `CANCEL`
    /// are final; any other status is still running, at the job's `progress` percentage when it gives one.
    static func interpret(_ task: JSONValue, baseURL: String) throws -> PollAnswer {
        switch task["status"]?.lenientString?.uppercased() {
        case "SUCCESS":
            guard let link = task["imageUrl"]?.lenientString, !link.isEmpty else { return .succeeded(.urls([])) }
            return .succeeded(.urls([link.hasPrefix("/") ? baseURL + link : link]))
        case "FAILURE":
            return .failed(jobFailure(task["failReason"]?.lenientString))
        case "CANCEL":
            return .failed(UpstreamFailure.noImage("The Midjourney job was cancelled upstream."))
        case nil:
            throw UpstreamFailure.malformed("no job status")
        default:
            // NOT_START, SUBMITTED, MODAL, IN_PROGRESS and statuses of newer forks: still running.
            let text = task["progress"]?.lenientString ?? ""
            return .pending(Int(text.filter(\.isNumber).prefix(3)).map { .percent(min($0, 99)) } ?? .unknown)
        }
    }

    private func fetch(_ id: String) async throws -> JSONValue {
        let response = try await http.send(UpstreamRequest(method: "GET", url: url("/mj/task/\(id)/fetch"), headers: auth,
                                                           timeout: channel.timeout))
        guard response.status == 200 else { throw Self.httpFailure(response) }
        // midjourney-proxy answers an unknown id with an empty 200.
        if response.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D }) || response.json == .null {
            throw EngineError(code: "InternalError", message: "The Midjourney proxy does not know this job.", isRetryable: false)
        }
        guard let task = response.json, task.objectValue != nil else { throw UpstreamFailure.malformed("job") }
        return task
    }

    static func jobFailure(_ reason: String?) -> EngineError {
        let text = (reason ?? "").lowercased()
        if ["banned", "moderation", "blocked", "violat", "敏感"].contains(where: text.contains) {
            return UpstreamFailure.inputBlocked("The prompt was rejected by Midjourney's content filter.")
        }
        let detail = reason.map { String($0.prefix(300)) }
        if text.contains("invalid parameter") || text.contains("unrecognized parameter") {
            return UpstreamFailure.classify(status: 400, detail: detail)
        }
        return UpstreamFailure.noImage("Midjourney failed" + (detail.map { $0.isEmpty ? "." : ": \($0)" } ?? "."))
    }

    // MARK: Plumbing

    private func url(_ path: String) -> String { channel.baseURL + path }

    private var auth: [(String, String)] { Self.authorization(channel.apiKey, bearer: bearer) }

    private static func authorization(_ key: String?, bearer: Bool) -> [(String, String)] {
        guard let key, !key.isEmpty else { return [] }
        return bearer ? [("Authorization", "Bearer " + key)] : [("mj-api-secret", key)]
    }

    private static func httpFailure(_ response: UpstreamResponse) -> EngineError {
        let json = response.json
        let detail = (json?["description"]?.lenientString ?? json?["error"]?["message"]?.lenientString).map { String($0.prefix(300)) }
        return UpstreamFailure.classify(status: response.status, retryAfter: response.retryAfter, detail: detail)
    }
}
