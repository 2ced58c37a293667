import EaselCore

extension UpstreamHTTP {
    /// Downloads one result image from an http(s) URL without credentials, at most `maxBytes`, and checks that it is
    /// a real png/jpeg/webp. A failed download is `ModelGenerateFailed` (retryable on 5xx).
    public func fetchResultImage(_ url: String, timeout: Duration, maxBytes: Int) async throws -> GeneratedImage {
        let lowered = url.lowercased()
        guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://") else { throw UpstreamFailure.malformed("result URL") }
        let response = try await send(UpstreamRequest(method: "GET", url: url, timeout: timeout, maxResponseBytes: maxBytes))
        guard response.status == 200 else {
            throw EngineError(code: "ModelGenerateFailed", message: "The result image could not be fetched (HTTP \(response.status)).",
                              isRetryable: response.status >= 500)
        }
        guard let info = ImageProbe.inspect(response.body) else { throw UpstreamFailure.malformed("result image") }
        return GeneratedImage(bytes: response.body, info: info)
    }
}
