import EaselMacros

/// One reference image of a task, as the client named it.
@MemberwiseInit
public struct InputImage: Codable, Sendable, Equatable {
    /// Where the image comes from.
    public enum Source: String, Codable, Sendable {
        /// A file in the app's media library (`FileId`).
        case file = "File"
        /// A URL that Easel or the upstream fetches.
        case url = "Url"
        /// Inline base64 bytes (no `data:` prefix).
        case base64 = "Base64"
    }

    /// Where the image comes from.
    public var source: Source
    /// Media-library id when `source == .file`.
    public var fileId: String?
    /// URL when `source == .url`.
    public var url: String?
    /// Base64 payload when `source == .base64`.
    public var base64: String?
    /// A description that helps the model understand the image (GG/GEM only).
    public var text: String?
    /// `mask` for OG, a subject id for Vidu, `asset`/`style` for GV.
    public var referenceType: String?
}
