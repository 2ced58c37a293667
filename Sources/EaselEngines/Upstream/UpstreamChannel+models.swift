import EaselCore

extension UpstreamChannel {
    /// The upstream model id this channel maps `request`'s catalog model to, if it maps it.
    public func upstreamModel(for request: ImageRequest) -> String? {
        upstreamModel(name: request.modelName, version: request.modelVersion)
    }

    /// The upstream model id for `request`: this channel's mapping, else `fallback` for the catalog version; when
    /// neither names one, the task fails with `InternalError` naming the `provider`.
    public func upstreamModel(for request: ImageRequest, provider: String, fallback: (String) -> String?) throws -> String {
        guard let model = upstreamModel(for: request) ?? fallback(request.modelVersion) else {
            throw EngineError(code: "InternalError", message: "No \(provider) model is configured for "
                              + "\(request.modelName) \(request.modelVersion).", isRetryable: false)
        }
        return model
    }
}
