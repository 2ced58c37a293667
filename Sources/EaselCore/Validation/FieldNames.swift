/// How each dialect spells the request fields in error messages: VOD PascalCase paths (`OutputConfig.AspectRatio`),
/// MPS paths (`ExtraParameters.AspectRatio`, `ImageInfos`), REST snake_case (`output_config.aspect_ratio`) and the
/// OpenAI body (`model`, `size`, `n`).
public struct FieldNames: Sendable {
    /// The dialect whose spelling is used.
    public let dialect: Dialect

    /// Creates the spelling table of `dialect`.
    public init(_ dialect: Dialect) {
        self.dialect = dialect
    }

    /// A member of one reference image.
    public enum InputMember: Sendable {
        case fileId, url, base64, text, referenceType, type
    }

    private func pick(_ vod: String, _ mps: String, _ rest: String, _ openai: String) -> String {
        switch dialect {
        case .vod: vod
        case .mps: mps
        case .rest: rest
        case .openai: openai
        }
    }

    /// The model name field.
    public var modelName: String { pick("ModelName", "ModelName", "model_name", "model") }
    /// The model version field (part of `model` in OpenAI).
    public var modelVersion: String { pick("ModelVersion", "ModelVersion", "model_version", "model") }
    /// The reference-image list.
    public var inputs: String { pick("FileInfos", "ImageInfos", "file_infos", "image") }
    /// The prompt.
    public var prompt: String { pick("Prompt", "Prompt", "prompt", "prompt") }
    /// The negative prompt.
    public var negativePrompt: String { pick("NegativePrompt", "NegativePrompt", "negative_prompt", "negative_prompt") }
    /// The output resolution.
    public var resolution: String {
        pick("OutputConfig.Resolution", "ExtraParameters.Resolution", "output_config.resolution", "resolution")
    }
    /// The output aspect ratio.
    public var aspectRatio: String {
        pick("OutputConfig.AspectRatio", "ExtraParameters.AspectRatio", "output_config.aspect_ratio", "aspect_ratio")
    }
    /// The number of images.
    public var outputImageCount: String {
        pick("OutputConfig.OutputImageCount", "OutputImageCount", "output_config.output_image_count", "n")
    }
    /// The output file format.
    public var outputFormat: String {
        pick("OutputConfig.OutputFormat", "ExtraParameters.OutputFormat", "output_config.output_format", "output_format")
    }
    /// `AllowAdult` / `Disallowed`.
    public var personGeneration: String {
        pick("OutputConfig.PersonGeneration", "PersonGeneration", "output_config.person_generation", "person_generation")
    }
    /// Temporary / Permanent.
    public var storageMode: String {
        pick("OutputConfig.StorageMode", "StorageMode", "output_config.storage_mode", "storage_mode")
    }
    /// The media name of permanent outputs.
    public var mediaName: String { pick("OutputConfig.MediaName", "MediaName", "output_config.media_name", "media_name") }
    /// The input region.
    public var inputRegion: String { pick("InputRegion", "InputRegion", "input_region", "input_region") }
    /// The scene type.
    public var sceneType: String { pick("SceneType", "SceneType", "scene_type", "scene_type") }
    /// The additional parameters object.
    public var additionalParameters: String {
        pick("ExtInfo.AdditionalParameters", "AdditionalParameters", "ext_info.AdditionalParameters", "additional_parameters")
    }
    /// The explicit size.
    public var size: String { dialect == .openai ? "size" : additionalParameter("size") }

    /// One key of the additional parameters.
    public func additionalParameter(_ key: String) -> String { "\(additionalParameters).\(key)" }

    /// A member of the reference image at `index`.
    public func input(_ index: Int, _ member: InputMember) -> String {
        switch dialect {
        case .openai:
            return member == .referenceType ? "mask" : "image[\(index)]"
        case .mps:
            let name = switch member {
            case .url, .fileId, .base64, .type: "ImageUrl"
            case .text: "Text"
            case .referenceType: "ReferenceType"
            }
            return "ImageInfos.\(index).\(name)"
        case .vod, .rest:
            let name = switch member {
            case .fileId: dialect == .vod ? "FileId" : "file_id"
            case .url: dialect == .vod ? "Url" : "url"
            case .base64: dialect == .vod ? "Base64" : "base64"
            case .text: dialect == .vod ? "Text" : "text"
            case .referenceType: dialect == .vod ? "ReferenceType" : "reference_type"
            case .type: dialect == .vod ? "Type" : "type"
            }
            return "\(inputs).\(index).\(name)"
        }
    }
}
