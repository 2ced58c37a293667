extension ImageRequest {
    /// The fields of an ``ImageRequest``, read and written through the request itself (`request.prompt`); its
    /// Codable form is the request's.
    public struct Fields: Codable, Sendable, Equatable {
        /// Catalog model name as sent (`GG`, `GEM`, `Kling`, …).
        public var modelName: String
        /// Catalog model version as sent (`2.5`, `image2_high`, …).
        public var modelVersion: String
        /// The prompt; required when there is no reference image.
        public var prompt: String?
        /// What the image must not contain.
        public var negativePrompt: String?
        /// Whether to let the model rewrite the prompt.
        public var enhancePrompt: Bool?
        /// Reference images.
        public var inputs: [InputImage]
        /// `OutputConfig.Resolution` / `ExtraParameters.Resolution` (`1K`, `2K`, `1080P`, `1024x1024`, …).
        public var resolution: String?
        /// `AspectRatio` (`16:9`, …).
        public var aspectRatio: String?
        /// An explicit pixel size from ExtInfo/AdditionalParameters `size` or the OpenAI `size`.
        public var size: PixelSize?
        /// `AllowAdult` or `Disallowed`.
        public var personGeneration: String?
        /// Whether to check the input for compliance.
        public var inputComplianceCheck: Bool?
        /// Whether to check the output for compliance.
        public var outputComplianceCheck: Bool?
        /// How many images to produce (default 1).
        public var outputImageCount: Int?
        /// `jpeg` or `png`; nil means the model's default.
        public var outputFormat: String?
        /// Whether to add a visible AI logo.
        public var logoAdd: Bool?
        /// Random seed; the sandbox derives one from the prompt when absent.
        public var seed: Int64?
        /// `3d_panorama` (Hunyuan), `image_expand` (Kling).
        public var sceneType: String?
        /// `Mainland`, `Oversea`, `OverseaUSWest`.
        public var inputRegion: String?
        /// Temporary (signed URL that expires) or Permanent (media library FileId).
        public var storageMode: StorageMode
        /// Media name for permanent outputs.
        public var mediaName: String?
        /// Category id for permanent outputs.
        public var classId: Int64?
        /// Requested expiry of permanent outputs (ISO 8601).
        public var expireTime: String?
        /// The raw `ExtInfo` string, kept verbatim.
        public var extInfo: String?
        /// Model-specific extra parameters (the decoded `AdditionalParameters`).
        public var additionalParameters: [String: JSONValue]?
        /// MPS `StoreCosParam`: deliver outputs to the user's bucket.
        public var storeCos: StoreCosParam?
        /// MPS `Operator`.
        public var operatorName: String?

        init(modelName: String, modelVersion: String, prompt: String?) {
            self.modelName = modelName
            self.modelVersion = modelVersion
            self.prompt = prompt
            self.inputs = []
            self.storageMode = .temporary
        }
    }
}
