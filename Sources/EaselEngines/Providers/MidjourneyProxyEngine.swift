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
/// Options: `poll_interval_ms` (first poll delay, default 1000; it grows ×1.5 up to ten times that),
/// `max_image_bytes` (default 64 MiB), `auth` = `bearer` for relays that take `Authorization: Bearer` instead of
/// `mj-api-secret`. Polls and the download must finish within `channel.timeout`.
public struct MidjourneyProxyEngine: ImageEngine {
    public let name = "midjourney"
    public let isSandbox = false
    private let channel: UpstreamChannel
    private let http: UpstreamHTTP

    /// Creates the adapter for a `midjourney` channel.
    public init(channel: UpstreamChannel, http: UpstreamHTTP) {
        self.channel = channel
        self.http = http
    }

    public func unsupportedReason(for request: ImageRequest) -> String? {
        (request.outputImageCount ?? 1) > 1 ? "Midjourney returns one 2x2 grid image per task; ask for one image." : nil
    }

    public func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        let deadline = ContinuousClock.now + channel.timeout
        let jobId: String
        if let token = job.resumeToken, !token.isEmpty {
            jobId = token
        } else {
            jobId = try await submit(job)
            await job.checkpoint(jobId)
        }
        // The id lands in a URL path; anything but a plain token would let the upstream steer our requests.
        guard jobId.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw UpstreamFailure.malformed("job id")
        }
        let link = try await poll(jobId, deadline: deadline, progress: progress)
        let image = try await download(link, deadline: deadline)
        await progress(100)
        return [image]
    }

    // MARK: Submit

    private func submit(_ job: EngineJob) async throws -> String {
        var body: [String: JSONValue] = ["prompt": .string(Self.prompt(for: job)), "state": .string(job.taskId)]
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

    private func poll(_ id: String, deadline: ContinuousClock.Instant,
                      progress: @Sendable (Int) async -> Void) async throws -> String {
        let first = Duration.milliseconds(Int(channel.options["poll_interval_ms"] ?? "") ?? 1000)
        var delay = first
        var reported = -1
        var hiccups = 0
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else {
                throw EngineError(code: "TaskTimeout", message: "Midjourney did not finish in time.", isRetryable: true)
            }
            try await Task.sleep(for: min(delay, remaining))
            delay = min(delay * 1.5, first * 10)
            let task: JSONValue
            do {
                task = try await fetch(id)
                hiccups = 0
            } catch let error as EngineError where error.isRetryable && hiccups < 3 {
                // A hiccup while polling must not abandon a job that is already paid for.
                hiccups += 1
                continue
            }
            switch task["status"]?.lenientString?.uppercased() {
            case "SUCCESS":
                guard let link = task["imageUrl"]?.lenientString, !link.isEmpty else { throw UpstreamFailure.noImage() }
                return link
            case "FAILURE":
                throw Self.jobFailure(task["failReason"]?.lenientString)
            case "CANCEL":
                throw UpstreamFailure.noImage("The Midjourney job was cancelled upstream.")
            case nil:
                throw UpstreamFailure.malformed("no job status")
            default:
                // NOT_START, SUBMITTED, MODAL, IN_PROGRESS and statuses of newer forks: still running.
                let text = task["progress"]?.lenientString ?? ""
                if let percent = Int(text.filter(\.isNumber).prefix(3)), min(percent, 99) > reported {
                    reported = min(percent, 99)
                    await progress(reported)
                }
            }
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

    // MARK: Download

    private func download(_ link: String, deadline: ContinuousClock.Instant) async throws -> GeneratedImage {
        let absolute = link.hasPrefix("/") ? channel.baseURL + link : link
        guard let target = URLComponents(string: absolute), ["http", "https"].contains(target.scheme?.lowercased() ?? "") else {
            throw UpstreamFailure.malformed("image URL")
        }
        // The secret goes only to the proxy itself, never to the CDN hosting the grid.
        let base = URLComponents(string: channel.baseURL)
        let sameOrigin = base?.scheme == target.scheme && base?.host == target.host && base?.port == target.port
        let remaining = deadline - .now
        guard remaining > .zero else {
            throw EngineError(code: "TaskTimeout", message: "Midjourney did not finish in time.", isRetryable: true)
        }
        let limit = Int(channel.options["max_image_bytes"] ?? "") ?? 64 * 1024 * 1024
        let response = try await http.send(UpstreamRequest(method: "GET", url: absolute, headers: sameOrigin ? auth : [],
                                                           timeout: remaining, maxResponseBytes: limit))
        guard response.status == 200 else {
            if response.status == 429 || response.status >= 500 { throw UpstreamFailure.classify(status: response.status) }
            throw UpstreamFailure.noImage("The grid image could not be downloaded (HTTP \(response.status)).")
        }
        guard let info = ImageProbe.inspect(response.body) else {
            throw UpstreamFailure.noImage("The grid is not a PNG, JPEG or WebP image.")
        }
        return GeneratedImage(bytes: response.body, info: info)
    }

    // MARK: Plumbing

    private func url(_ path: String) -> String { channel.baseURL + path }

    private var auth: [(String, String)] {
        guard let key = channel.apiKey, !key.isEmpty else { return [] }
        return channel.options["auth"]?.lowercased() == "bearer" ? [("Authorization", "Bearer " + key)] : [("mj-api-secret", key)]
    }

    private static func httpFailure(_ response: UpstreamResponse) -> EngineError {
        let json = response.json
        let detail = (json?["description"]?.lenientString ?? json?["error"]?["message"]?.lenientString).map { String($0.prefix(300)) }
        return UpstreamFailure.classify(status: response.status, retryAfter: response.retryAfter, detail: detail)
    }
}
