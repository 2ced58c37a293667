import EaselMacros

/// A request that passed validation: normalised to the catalog's spelling, with its model and output geometry.
@MemberwiseInit
public struct ValidatedRequest: Sendable, Equatable {
    /// The normalised request: canonical model name/version, resolution, aspect ratio, scene type and enum values,
    /// `outputFormat` as `jpeg`/`png`, and `size` parsed from `AdditionalParameters.size` when one was given.
    public var request: ImageRequest
    /// The model's spec.
    public var spec: ModelSpec
    /// The pixel size each output image should have.
    public var outputSize: PixelSize

    /// The format to write: the requested one or the model's default.
    public var outputFormat: String { request.outputFormat ?? spec.defaultOutputFormat }

    /// How many images to produce.
    public var outputImageCount: Int { request.outputImageCount ?? 1 }
}
