import EaselMacros
import Foundation

/// Checks an ``ImageRequest`` against the ``ModelCatalog`` and normalises it. Every failure is an ``APIError`` whose
/// message starts with the field at fault in the dialect's own spelling (``FieldNames``) and lists what is allowed.
@MemberwiseInit
public struct RequestValidator: Sendable {
    /// The catalog requests are checked against.
    public let catalog: ModelCatalog

    /// MPS documents 1000 characters for `Prompt`.
    public static let mpsPromptLimit = 1000
    /// VOD, REST and OpenAI: VOD documents no limit, so this only bounds what Easel stores and echoes back in
    /// DescribeTaskDetail; it is far above what the models read, so no real prompt is refused.
    public static let promptLimit = 10_000
    /// Longest `NegativePrompt`.
    public static let negativePromptLimit = 1000
    /// Longest `OutputConfig.MediaName` (4.3).
    public static let mediaNameLimit = 64

    /// Validates `request` as submitted in `dialect` and returns it normalised, with its spec and output size.
    public func validate(_ request: ImageRequest, dialect: Dialect) throws(APIError) -> ValidatedRequest {
        let fields = FieldNames(dialect)
        var request = request
        blanksToNil(&request)
        let spec = try resolveModel(&request, dialect: dialect, fields: fields)
        try checkPrompts(request, dialect: dialect, fields: fields)
        try checkInputs(&request, spec: spec, fields: fields)
        try checkSceneType(&request, spec: spec, fields: fields)
        try checkGeometry(&request, spec: spec, dialect: dialect, fields: fields)
        try checkOutputImageCount(request, spec: spec, fields: fields, dialect: dialect)
        try checkVocabulary(&request, spec: spec, fields: fields)
        let outputSize = OutputGeometry.outputSize(resolution: request.resolution, aspectRatio: request.aspectRatio,
                                                   size: request.size, spec: spec)
        return ValidatedRequest(request: request, spec: spec, outputSize: outputSize)
    }

    /// Parses a `StorageMode` value for a dialect decoder: absent or blank is `Temporary`.
    public static func storageMode(_ text: String?, dialect: Dialect) throws(APIError) -> StorageMode {
        guard let text, !text.trimmingWhitespace().isEmpty else { return .temporary }
        guard let mode = RequestVocabulary.storageMode(text) else {
            throw invalid(FieldNames(dialect).storageMode,
                          "`\(text)` is not a storage mode; allowed values: \(list(RequestVocabulary.storageModes))")
        }
        return mode
    }

    static func invalid(_ field: String, _ text: String) -> APIError {
        .invalidValue("\(field): \(text)")
    }

    static func list(_ values: [String]) -> String {
        values.joined(separator: ", ")
    }

    // Dialect decoders may pass "" for an absent optional string; treat both alike.
    private func blanksToNil(_ request: inout ImageRequest) {
        func blank(_ value: String?) -> String? {
            guard let value, !value.trimmingWhitespace().isEmpty else { return nil }
            return value
        }
        request.resolution = blank(request.resolution)
        request.aspectRatio = blank(request.aspectRatio)
        request.sceneType = blank(request.sceneType)
        request.outputFormat = blank(request.outputFormat)
        request.personGeneration = blank(request.personGeneration)
        request.inputRegion = blank(request.inputRegion)
    }

    private func resolveModel(_ request: inout ImageRequest, dialect: Dialect, fields: FieldNames) throws(APIError) -> ModelSpec {
        var name = request.modelName.trimmingWhitespace()
        var version = request.modelVersion.trimmingWhitespace()
        if name.isEmpty {
            guard let fallback = catalog.defaultModel(for: dialect) else { throw .missing(fields.modelName) }
            name = fallback.name
        }
        guard let canonicalName = catalog.canonicalName(name, dialect: dialect) else {
            throw Self.invalid(fields.modelName, "unknown model `\(name)`; allowed values: \(modelList(dialect))")
        }
        if version.isEmpty {
            guard let fallback = catalog.defaultVersion(name: canonicalName, dialect: dialect) else {
                throw .missing(fields.modelVersion)
            }
            version = fallback
        }
        guard let spec = catalog.spec(name: canonicalName, version: version, dialect: dialect) else {
            let known = catalog.specs(name: canonicalName, dialect: dialect)
                .map { dialect == .openai ? $0.openAIModelID : $0.version }
            throw Self.invalid(fields.modelVersion,
                               "model \(canonicalName) has no version `\(version)`; allowed values: \(Self.list(known))")
        }
        request.modelName = spec.name
        request.modelVersion = spec.version
        return spec
    }

    // OpenAI clients send one id, so they are shown the ids; the Tencent dialects send ModelName.
    private func modelList(_ dialect: Dialect) -> String {
        dialect == .openai ? Self.list(catalog.openAIModelIDs) : Self.list(catalog.names(for: dialect))
    }

    private func checkPrompts(_ request: ImageRequest, dialect: Dialect, fields: FieldNames) throws(APIError) {
        let prompt = request.prompt ?? ""
        if prompt.trimmingWhitespaceAndNewlines().isEmpty, request.inputs.isEmpty {
            throw .missing(fields.prompt)
        }
        let limit = dialect == .mps ? Self.mpsPromptLimit : Self.promptLimit
        if prompt.count > limit {
            throw Self.invalid(fields.prompt, "at most \(limit) characters are allowed, got \(prompt.count)")
        }
        if let negative = request.negativePrompt, negative.count > Self.negativePromptLimit {
            throw Self.invalid(fields.negativePrompt,
                               "at most \(Self.negativePromptLimit) characters are allowed, got \(negative.count)")
        }
    }

    private func checkOutputImageCount(_ request: ImageRequest, spec: ModelSpec, fields: FieldNames, dialect: Dialect) throws(APIError) {
        // OpenAI clients ask for `n` images of any model; models that make one image per call are called n times.
        let range = dialect == .openai ? 1...max(spec.outputImageCounts.upperBound, 10) : spec.outputImageCounts
        guard let count = request.outputImageCount, !range.contains(count) else { return }
        throw Self.invalid(fields.outputImageCount, "model \(spec) produces \(range.lowerBound)–\(range.upperBound) "
            + "images per task, got \(count); allowed range: \(range.lowerBound)–\(range.upperBound)")
    }

    private func checkVocabulary(_ request: inout ImageRequest, spec: ModelSpec, fields: FieldNames) throws(APIError) {
        if let format = request.outputFormat {
            guard let canonical = RequestVocabulary.outputFormat(format), spec.outputFormats.contains(canonical) else {
                throw Self.invalid(fields.outputFormat, "`\(format)` is not supported; allowed values: \(Self.list(spec.outputFormats))")
            }
            request.outputFormat = canonical
        }
        if let value = request.personGeneration {
            guard let canonical = RequestVocabulary.personGeneration(value) else {
                throw Self.invalid(fields.personGeneration,
                                   "`\(value)` is not allowed; allowed values: \(Self.list(RequestVocabulary.personGenerations))")
            }
            request.personGeneration = canonical
        }
        if let value = request.inputRegion {
            guard let canonical = RequestVocabulary.inputRegion(value) else {
                throw Self.invalid(fields.inputRegion,
                                   "`\(value)` is not allowed; allowed values: \(Self.list(RequestVocabulary.inputRegions))")
            }
            request.inputRegion = canonical
        }
        if let name = request.mediaName, name.count > Self.mediaNameLimit {
            throw Self.invalid(fields.mediaName, "at most \(Self.mediaNameLimit) characters are allowed, got \(name.count)")
        }
    }
}
