/// What a client asked to generate, independent of the dialect it spoke: every dialect decodes into this,
/// the validator checks it against the catalog, and engines read it.
public struct ImageRequest: Codable, Sendable, Equatable {
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

    /// Creates a request with the given model and defaults for everything else.
    public init(modelName: String, modelVersion: String, prompt: String? = nil) {
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.prompt = prompt
        self.inputs = []
        self.storageMode = .temporary
    }
}

/// Where generated images are kept.
public enum StorageMode: String, Codable, Sendable {
    /// Served under a signed URL until it expires.
    case temporary = "Temporary"
    /// Kept in the app's media library under a FileId.
    case permanent = "Permanent"
}

/// A width × height in pixels.
public struct PixelSize: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int

    /// Creates a size.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// The longest side a parsed size may have; larger values are not sizes any model renders, and bounding them
    /// keeps every product of two sides far from overflowing.
    public static let maxParsedSide = 100_000

    /// Parses `1024x1024`, `1024*1024` or `1024×1024`; nil unless both sides are in 1…``maxParsedSide``.
    public init?(parsing text: String) {
        let parts = text.lowercased().split { $0 == "x" || $0 == "*" || $0 == "×" }
        guard parts.count == 2, let width = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let height = Int(parts[1].trimmingCharacters(in: .whitespaces)),
              (1...Self.maxParsedSide).contains(width), (1...Self.maxParsedSide).contains(height) else { return nil }
        self.init(width: width, height: height)
    }

    /// Total pixels (saturating at `Int.max` rather than trapping on sizes nobody validated).
    public var pixels: Int {
        let (product, overflow) = width.multipliedReportingOverflow(by: height)
        return overflow ? Int.max : product
    }

    public var description: String { "\(width)x\(height)" }
}

/// MPS `AigcStoreCosParam`: the user's bucket for outputs.
public struct StoreCosParam: Codable, Sendable, Equatable {
    /// Bucket name.
    public var bucketName: String
    /// Bucket region (e.g. `ap-guangzhou`).
    public var bucketRegion: String
    /// Key prefix inside the bucket.
    public var bucketPath: String?

    /// Creates the parameter.
    public init(bucketName: String, bucketRegion: String, bucketPath: String?) {
        self.bucketName = bucketName
        self.bucketRegion = bucketRegion
        self.bucketPath = bucketPath
    }
}

import Foundation
