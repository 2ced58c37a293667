import EaselMacros

/// What one model version accepts, as documented by Tencent (tencent-api.md 4.2–4.6 and 5.1): reference-image limit,
/// geometry options, output count and features. Values marked UNCONFIRMED in the catalog data are best guesses.
@MemberwiseInit
public struct ModelSpec: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Canonical model name (`GG`, `Kling`, `wand-vega-image`).
    public var name: String
    /// Canonical version spelling (`2.5`, `3.0-Omni`, `image2_high`).
    public var version: String
    /// The dialects that accept this name/version with these limits.
    public var dialects: Set<Dialect>
    /// Most reference images one task may carry.
    public var maxReferenceImages: Int
    /// Accepted `Resolution` values in canonical spelling; nil when the model takes no resolution.
    public var resolutions: [String]?
    /// The resolution used when the request names none.
    public var defaultResolution: String?
    /// Accepted `AspectRatio` values in canonical spelling; nil when the model takes no aspect ratio.
    public var aspectRatios: [String]?
    /// Whether the docs say to describe the aspect ratio in the prompt instead (SI, MJ, Jimeng).
    public var aspectRatioInPrompt: Bool = false
    /// Whether the docs say to describe the resolution in the prompt instead (Jimeng).
    public var resolutionInPrompt: Bool = false
    /// Allowed `OutputImageCount` values.
    public var outputImageCounts: ClosedRange<Int> = 1...1
    /// The rule an explicit `AdditionalParameters.size` must satisfy; nil when the model takes no explicit size.
    public var sizeRule: SizeRule?
    /// Accepted `SceneType` values.
    public var sceneTypes: [String] = []
    /// Whether `FileInfos.Text` (a description of a reference image) is accepted.
    public var supportsImageText: Bool = false
    /// Whether a reference image may be a mask (`ReferenceType: mask`).
    public var supportsMask: Bool = false
    /// Accepted `OutputFormat` values.
    public var outputFormats: [String] = ["jpeg", "png"]
    /// The format used when the request names none.
    public var defaultOutputFormat: String = "png"

    /// `GG 2.5`: how messages name the model.
    public var description: String { "\(name) \(version)" }

    /// `GG-2.5`: the id the OpenAI dialect lists and accepts.
    public var openAIModelID: String { "\(name)-\(version)" }

    /// A copy accepted by other dialects.
    func with(dialects: Set<Dialect>) -> ModelSpec {
        var copy = self
        copy.dialects = dialects
        return copy
    }
}
