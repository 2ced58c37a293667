/// A decoded `POST /v1/images/generations` body.
public struct OpenAIImageCommand: Sendable, Equatable {
    /// How images come back.
    public enum ResponseFormat: String, Sendable {
        /// Signed URLs.
        case url
        /// Inline base64.
        case b64JSON = "b64_json"
    }

    /// The create command it maps to.
    public var command: CreateCommand
    /// `response_format`.
    public var responseFormat: ResponseFormat
    /// The model id as the client sent it.
    public var modelID: String
}

/// Maps the OpenAI images API onto catalog models: `model` is `NAME-VERSION` (`GG-2.5`) or a configured alias,
/// `size` becomes the model's aspect ratio and resolution (or an explicit size where the model takes one).
public enum OpenAIImageDecoder {
    /// Decodes the body.
    public static func decode(_ params: FieldReader, catalog: ModelCatalog, aliases: [String: String],
                              defaultModel: String) throws(APIError) -> OpenAIImageCommand {
        guard let prompt = try params.string("prompt"), !prompt.trimmingWhitespace().isEmpty else {
            throw .missing("prompt")
        }
        let modelID = try params.string("model").flatMap { $0.isEmpty ? nil : $0 } ?? defaultModel
        guard let (name, version) = catalog.resolveOpenAIModel(modelID, aliases: aliases) else {
            throw .invalidValue("model `\(modelID)` is not available. Use one of: \(catalog.openAIModelIDs.joined(separator: ", ")).")
        }
        var request = ImageRequest(modelName: name, modelVersion: version, prompt: prompt)
        let count = try params.int("n") ?? 1
        guard (1...10).contains(count) else { throw .invalidValue("n must be between 1 and 10, got \(count).") }
        request.outputImageCount = count == 1 ? nil : Int(count)
        if let sizeText = try params.string("size"), !sizeText.isEmpty, sizeText != "auto" {
            guard let size = PixelSize(parsing: sizeText) else {
                throw .invalidValue("size must be WIDTHxHEIGHT (like 1024x1024) or auto, got `\(sizeText)`.")
            }
            guard let spec = catalog.spec(name: name, version: version, dialect: .openai) else {
                throw .invalidValue("model `\(modelID)` is not available.")
            }
            let mapped = OutputGeometry.closestResolution(for: size, spec: spec)
            request.size = mapped.size
            request.resolution = mapped.resolution
            request.aspectRatio = mapped.aspectRatio
            if let explicit = mapped.size {
                request.additionalParameters = ["size": .string("\(explicit.width)\(spec.sizeRule?.separator ?? "x")\(explicit.height)")]
            }
        }
        if let format = try params.string("output_format"), !format.isEmpty { request.outputFormat = format }
        if let background = try params.string("background"), background == "transparent" {
            request.additionalParameters = (request.additionalParameters ?? [:]).merging(["background": .string(background)]) { $1 }
        }
        request.seed = try params.int("seed")
        request.negativePrompt = try params.string("negative_prompt")
        let formatText = try params.string("response_format").flatMap { $0.isEmpty ? nil : $0 } ?? "url"
        guard let responseFormat = OpenAIImageCommand.ResponseFormat(rawValue: formatText) else {
            throw .invalidValue("response_format must be url or b64_json, got `\(formatText)`.")
        }
        return OpenAIImageCommand(command: CreateCommand(request: request, callbackURL: try params.string("callback_url")),
                                  responseFormat: responseFormat, modelID: modelID)
    }
}
