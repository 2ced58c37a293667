/// Explicit size, resolution and aspect ratio.
extension RequestValidator {
    /// Bounds for sizes passed through unchanged (OpenAI `size` for models with no geometry options).
    public static let freeSizeSides = 64...8192
    /// Most pixels of a passed-through size (4096×4096).
    public static let freeSizePixels = 16_777_216

    func checkGeometry(_ request: inout ImageRequest, spec: ModelSpec, dialect: Dialect,
                       fields: FieldNames) throws(APIError) {
        var size = request.size
        if let raw = request.additionalParameters?["size"] {
            guard let text = raw.lenientString, let parsed = PixelSize(parsing: text) else {
                throw Self.invalid(fields.additionalParameter("size"),
                                   "expected WIDTHxHEIGHT, got `\(raw.lenientString ?? "a non-string")`")
            }
            if size == nil { size = parsed }
        }
        if let requested = size {
            size = dialect == .openai ? try mapOpenAISize(requested, request: &request, spec: spec, fields: fields)
                : try checkExplicitSize(requested, spec: spec, fields: fields)
        }
        request.size = size
        try checkResolution(&request, spec: spec, fields: fields)
        try checkAspectRatio(&request, spec: spec, fields: fields)
    }

    private func checkExplicitSize(_ size: PixelSize, spec: ModelSpec, fields: FieldNames) throws(APIError) -> PixelSize {
        guard let rule = spec.sizeRule else {
            throw Self.invalid(fields.size, "model \(spec) does not accept an explicit size; "
                + (spec.resolutions == nil ? "it takes none" : "use \(fields.resolution) and \(fields.aspectRatio)"))
        }
        if let reason = rule.violation(of: size) {
            throw Self.invalid(fields.size, "model \(spec): \(reason); allowed: \(rule)")
        }
        return size
    }

    // OpenAI clients send a size whatever the model (often a default 1024x1024), so it is mapped onto what the
    // model takes instead of refused: fitted to a size rule, or expressed as aspect ratio + resolution.
    private func mapOpenAISize(_ size: PixelSize, request: inout ImageRequest, spec: ModelSpec,
                               fields: FieldNames) throws(APIError) -> PixelSize? {
        let choice = OutputGeometry.closestResolution(for: size, spec: spec)
        if let rule = spec.sizeRule {
            guard let fitted = choice.size else {
                throw Self.invalid(fields.size, "no size near \(size) suits model \(spec); allowed: \(rule)")
            }
            return fitted
        }
        guard let free = choice.size else {
            request.aspectRatio = request.aspectRatio ?? choice.aspectRatio
            request.resolution = request.resolution ?? choice.resolution
            return nil
        }
        guard Self.freeSizeSides.contains(free.width), Self.freeSizeSides.contains(free.height),
              free.pixels <= Self.freeSizePixels else {
            throw Self.invalid(fields.size, "each side must be in \(Self.freeSizeSides.lowerBound)–"
                + "\(Self.freeSizeSides.upperBound) and width×height at most \(Self.freeSizePixels), got \(free)")
        }
        return free
    }

    private func checkResolution(_ request: inout ImageRequest, spec: ModelSpec, fields: FieldNames) throws(APIError) {
        request.resolution = try Self.choice(request.resolution, allowed: spec.resolutions, field: fields.resolution,
                                             noun: "a resolution", spec: spec, fields: fields,
                                             promptHint: spec.resolutionInPrompt ? "describe the resolution in the prompt" : nil)
    }

    private func checkAspectRatio(_ request: inout ImageRequest, spec: ModelSpec, fields: FieldNames) throws(APIError) {
        request.aspectRatio = try Self.choice(request.aspectRatio, allowed: spec.aspectRatios, field: fields.aspectRatio,
                                              noun: "an aspect ratio", spec: spec, fields: fields,
                                              promptHint: spec.aspectRatioInPrompt
                                                  ? "write the aspect ratio (e.g. 16:9) in the prompt instead" : nil)
    }

    /// `value` spelt as in `allowed`; a model that takes none says what to do instead (`promptHint`, else an explicit
    /// size where the model has a size rule).
    private static func choice(_ value: String?, allowed: [String]?, field: String, noun: String, spec: ModelSpec,
                               fields: FieldNames, promptHint: String?) throws(APIError) -> String? {
        guard let value else { return nil }
        guard let allowed else {
            let hint = promptHint ?? spec.sizeRule.map { "give an explicit size in \(fields.size) (\($0))" } ?? "it takes none"
            throw invalid(field, "model \(spec) does not support \(noun); \(hint)")
        }
        guard let canonical = RequestVocabulary.canonical(value, in: allowed) else {
            throw invalid(field, "`\(value)` is not supported by model \(spec); allowed values: \(list(allowed))")
        }
        return canonical
    }
}
