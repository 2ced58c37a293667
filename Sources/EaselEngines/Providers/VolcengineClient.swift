import EaselCore
import Foundation

/// A Volcengine OpenAPI caller for one channel (Jimeng's): `POST {baseURL}/?Action=…&Version=…` with a JSON body,
/// signed with the channel's AccessKey/SecretKey (Volcengine V4, service `cv`, region default `cn-north-1`), each call
/// limited to the channel's timeout.
struct VolcengineClient: Sendable {
    private let channel: UpstreamChannel
    private let version: String
    private let http: UpstreamHTTP
    private let clock: @Sendable () -> Date

    /// A caller of API `version` on `channel` through `http`; `clock` dates the signatures.
    init(channel: UpstreamChannel, version: String, http: UpstreamHTTP, clock: @escaping @Sendable () -> Date) {
        self.channel = channel
        self.version = version
        self.http = http
        self.clock = clock
    }

    /// Sends `body` to `action` and returns the answer, whatever its status; a channel without an access key or with
    /// an unusable base URL fails with `InternalError`.
    func post(_ action: String, body: JSONValue) async throws -> UpstreamResponse {
        guard let accessKey = channel.accessKey, let secretKey = channel.secretKey else {
            throw EngineError(code: "InternalError", message: "The Jimeng channel has no access key configured.", isRetryable: false)
        }
        let query = VolcV4Signer.canonicalQuery([("Action", action), ("Version", version)])
        guard let url = URL(string: "\(channel.baseURL)/?\(query)") else {
            throw EngineError(code: "InternalError", message: "The Jimeng channel's base URL is invalid.", isRetryable: false)
        }
        let bytes = Array(body.encoded())
        let headers = [("Content-Type", "application/json")]
        let signed = VolcV4Signer.sign(method: "POST", url: url, headers: headers, body: bytes,
                                       credentials: SigV4Credentials(accessKeyId: accessKey, secretAccessKey: secretKey),
                                       region: channel.region ?? "cn-north-1", service: "cv", date: clock())
        return try await http.send(UpstreamRequest(method: "POST", url: url.absoluteString, headers: headers + signed,
                                                   body: bytes, timeout: channel.timeout))
    }
}
