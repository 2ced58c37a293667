import EaselCore
import EaselEngines

/// One OpenAI-compatible API that Easel calls for itself (moderation, prompt rewriting): where it is, the key it
/// takes, the model asked for and how long a call may take.
struct OpenAICompatibleEndpoint: Sendable {
    /// The largest answer read; these APIs answer with a few kilobytes of JSON.
    static let maxResponseBytes = 1024 * 1024

    /// `{base}/v1/{path}`.
    let url: String
    /// Sent as a Bearer token; none for a local server that needs no key.
    let key: RedactedKey?
    /// The `model` the calls ask for.
    let model: String
    let http: UpstreamHTTP
    let timeout: Duration

    /// The endpoint `path` (`moderations`) under `baseURL`, which may end in `/v1` (as OpenAI SDK base URLs do: it is
    /// not doubled); a nil or blank `apiKey` sends no `Authorization` header.
    init(baseURL: String, path: String, apiKey: String?, model: String, http: UpstreamHTTP, timeout: Duration) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1") { base.removeLast(3) }
        self.url = "\(base)/v1/\(path)"
        self.key = RedactedKey(apiKey)
        self.model = model
        self.http = http
        self.timeout = timeout
    }

    /// POSTs `body` as JSON and returns the answer, whatever its status.
    func post(_ body: JSONValue) async throws -> UpstreamResponse {
        var request = UpstreamRequest.json(url, body: body, headers: key.map { [$0.bearerHeader] } ?? [], timeout: timeout)
        request.maxResponseBytes = Self.maxResponseBytes
        return try await http.send(request)
    }
}
