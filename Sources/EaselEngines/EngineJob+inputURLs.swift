extension EngineJob {
    /// The reference images' public URLs, in order, for an upstream that takes references only by URL; an image that
    /// has none (sent inline, or from the media library) fails the task with `InvalidParameterValue` naming `upstream`.
    func inputURLs(for upstream: String) throws -> [String] {
        try inputs.enumerated().map { index, input in
            guard let url = input.sourceURL, !url.isEmpty else {
                throw EngineError(code: "InvalidParameterValue",
                                  message: "FileInfos.\(index) has no URL; \(upstream) takes reference images only as public URLs.",
                                  isRetryable: false)
            }
            return url
        }
    }
}
