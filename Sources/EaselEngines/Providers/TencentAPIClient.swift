import EaselCore
import Foundation

/// A Tencent Cloud API 3.0 caller for one service: JSON POSTs to `/` signed with TC3-HMAC-SHA256 and carrying
/// `X-TC-Action`, `X-TC-Version`, `X-TC-Timestamp` and `X-TC-Region`. Answers are unwrapped from
/// `{"Response": {…}}`; a `Response.Error` (which Tencent sends with HTTP 200) becomes an ``EngineError``.
struct TencentAPIClient: Sendable {
    /// Where requests are posted (the channel's base URL, without a trailing slash).
    let endpoint: String
    /// The `Host` value sent and signed (host, plus the port when it is not the scheme's default).
    let host: String
    /// Credential-scope service (`aiart`, `vod`).
    let service: String
    /// `X-TC-Version`.
    let version: String
    /// `X-TC-Region`; not sent when nil.
    let region: String?
    /// Hides the channel's credentials in any text that reaches an error.
    let redactor: TencentRedactor
    private let secretId: String
    private let secretKey: String
    private let http: UpstreamHTTP
    private let clock: @Sendable () -> Date

    /// Creates a client from a channel's base URL, SecretId (`accessKey`), SecretKey and region.
    init(channel: UpstreamChannel, service: String, version: String, defaultRegion: String?, http: UpstreamHTTP,
         clock: @escaping @Sendable () -> Date) throws {
        guard let secretId = channel.accessKey, !secretId.isEmpty, let secretKey = channel.secretKey, !secretKey.isEmpty
        else { throw TencentAPIClient.configurationError("channel `\(channel.name)` has no SecretId/SecretKey") }
        guard let host = Self.hostHeader(of: channel.baseURL) else {
            throw TencentAPIClient.configurationError("channel `\(channel.name)` has no usable base URL")
        }
        self.endpoint = channel.baseURL
        self.host = host
        self.service = service
        self.version = version
        self.region = channel.region.flatMap { $0.isEmpty ? nil : $0 } ?? defaultRegion
        self.redactor = TencentRedactor(channel: channel)
        self.secretId = secretId
        self.secretKey = secretKey
        self.http = http
        self.clock = clock
    }

    /// Calls `action` and returns the `Response` object of a successful answer.
    func call(_ action: String, _ parameters: [String: JSONValue], timeout: Duration) async throws -> [String: JSONValue] {
        let body = Array(JSONValue.object(parameters).encoded())
        let contentType = "application/json; charset=utf-8"
        let timestamp = Int(clock().timeIntervalSince1970)
        let signable = SignableRequest(method: "POST", headers: ["content-type": contentType, "host": host], body: body)
        let authorization = TC3Signer.authorization(secretId: secretId, secretKey: secretKey, service: service,
                                                    timestamp: timestamp, request: signable)
        var headers = [("Content-Type", contentType), ("Host", host), ("X-TC-Action", action),
                       ("X-TC-Version", version), ("X-TC-Timestamp", String(timestamp))]
        if let region { headers.append(("X-TC-Region", region)) }
        headers.append(("Authorization", authorization))
        let response = try await http.send(UpstreamRequest(method: "POST", url: endpoint + "/", headers: headers, body: body,
                                                           timeout: timeout, maxResponseBytes: 4 << 20))
        return try Self.unwrap(response, redactor: redactor)
    }

    /// The `Response` object of an API 3.0 answer (also what reseller proxies return): `Response.Error` in any HTTP
    /// status is mapped with ``engineError(code:message:stage:redactor:)``, other non-2xx statuses by HTTP class.
    static func unwrap(_ response: UpstreamResponse, redactor: TencentRedactor) throws -> [String: JSONValue] {
        let envelope = response.json?["Response"]?.objectValue
        if let error = envelope?["Error"], let code = error["Code"]?.lenientString, !code.isEmpty {
            var mapped = engineError(code: code, message: error["Message"]?.lenientString ?? "", stage: .request,
                                     redactor: redactor)
            if mapped.isRetryable, mapped.retryAfter == nil { mapped.retryAfter = response.retryAfter }
            throw mapped
        }
        guard (200..<300).contains(response.status) else {
            throw UpstreamFailure.classify(status: response.status, retryAfter: response.retryAfter)
        }
        guard let envelope else { throw UpstreamFailure.malformed("no Response object") }
        return envelope
    }

    /// Where a Tencent error code was reported: answering a call, or as the verdict of an asynchronous job (which
    /// makes an illegal image the generated one rather than a reference).
    enum ErrorStage: Sendable { case request, job }

    /// Maps a Tencent error code (common codes, aiart §6, VOD §10) to our vocabulary per providers.md §12.
    /// Credentials never reach the message: auth errors say only the code, other messages are redacted.
    static func engineError(code: String, message: String, stage: ErrorStage, redactor: TencentRedactor) -> EngineError {
        func family(_ names: String...) -> Bool { names.contains { code == $0 || code.hasPrefix($0 + ".") } }
        let detail = redactor.redact(message)
        if family("AuthFailure", "UnauthorizedOperation", "InvalidAction", "NoSuchVersion", "NoSuchProduct", "ActionOffline",
                  "UnsupportedRegion", "IpInBlacklist", "IpNotInWhitelist", "FailedOperation.InvalidVodUser",
                  "InvalidParameterValue.SubAppId") {
            return configurationError("the upstream refused this server's credentials or configuration (\(code))")
        }
        if family("RequestLimitExceeded") {
            return EngineError(code: "RequestLimitExceeded", message: "The upstream is rate limiting requests (\(code)).",
                               isRetryable: true)
        }
        if family("ResourceUnavailable", "ResourcesSoldOut", "ResourceInsufficient", "LimitExceeded.Quota") {
            return EngineError(code: "ResourceInsufficient", message: "The upstream account cannot be charged (\(code)).",
                               isRetryable: false)
        }
        switch code {
        case "OperationDenied.TextIllegalDetected", "InvalidParameter.VoilationContent", "InvalidParameter.ViolationContent":
            return UpstreamFailure.inputBlocked()
        case "OperationDenied.ImageIllegalDetected":
            return stage == .job ? UpstreamFailure.outputBlocked() : UpstreamFailure.inputBlocked()
        case "ContentModerationFailed":
            return UpstreamFailure.outputBlocked()
        case "FailedOperation.RequestTimeout", "TaskTimeout":
            return EngineError(code: "TaskTimeout", message: "The upstream timed out (\(code)).", isRetryable: true)
        case "FailedOperation.GenerateImageFailed", "ModelGenerateFailed":
            return UpstreamFailure.noImage("The model failed to generate the image" + (detail.isEmpty ? "." : ": \(detail)"))
        case "FailedOperation.JobNotExist", "ResourceNotFound", "InvalidParameterValue.TaskId":
            return EngineError(code: "InternalError", message: "The upstream no longer knows this task (\(code)).",
                               isRetryable: false)
        default:
            break
        }
        if family("InvalidParameter", "InvalidParameterValue", "MissingParameter", "UnknownParameter",
                  "RequestSizeLimitExceeded", "FailedOperation.RequestEntityTooLarge") || code.hasPrefix("FailedOperation.Image") {
            return EngineError(code: "InvalidParameterValue",
                               message: "The upstream refused the request (\(code))" + (detail.isEmpty ? "." : ": \(detail)"),
                               isRetryable: false)
        }
        if family("FailedOperation", "InternalError", "ServiceUnavailable") {
            return EngineError(code: "InternalError", message: "The upstream failed (\(code)).", isRetryable: true)
        }
        return EngineError(code: "InternalError", message: "The upstream answered \(code).", isRetryable: false)
    }

    /// A channel misconfiguration: never retryable, never with credential values.
    static func configurationError(_ what: String) -> EngineError {
        EngineError(code: "InternalError", message: "Upstream configuration problem: \(what).", isRetryable: false)
    }

    /// `host[:port]` of a base URL, as an HTTP client sends it (the port only when it is not the scheme's default).
    static func hostHeader(of baseURL: String) -> String? {
        guard let components = URLComponents(string: baseURL), let host = components.host, !host.isEmpty else { return nil }
        let defaultPort = components.scheme?.lowercased() == "https" ? 443 : 80
        if let port = components.port, port != defaultPort { return "\(host):\(port)" }
        return host
    }
}

/// Replaces a channel's credentials with `***` in text that came from an upstream.
struct TencentRedactor: Sendable {
    private let secrets: [String]

    /// Collects the channel's API key, SecretId and SecretKey.
    init(channel: UpstreamChannel) {
        secrets = [channel.apiKey, channel.accessKey, channel.secretKey].compactMap { $0 }.filter { $0.count >= 4 }
    }

    /// `text` without any credential.
    func redact(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }
}

extension AsyncUpstreamJob {
    /// The job runner of a Tencent Cloud channel (aiart, VOD): options `poll_interval_ms` and `max_image_bytes`, the
    /// whole job within `channel.timeout`, reported as "did not finish within" that timeout.
    static func tencent(_ channel: UpstreamChannel, options: ChannelOptions, http: UpstreamHTTP) throws -> AsyncUpstreamJob {
        try AsyncUpstreamJob(channel: channel, options: options, http: http,
                             timedOut: EngineError(code: "TaskTimeout", message: "The upstream task did not finish within \(channel.timeout).",
                                                   isRetryable: true),
                             initialProgress: 5, idRule: (anyID, "task id"))
    }
}
