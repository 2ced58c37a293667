import EaselMacros
import Foundation

/// A file in an app's media library: a permanent output or an imported image, addressed by FileId.
@MemberwiseInit
public struct MediaFile: Codable, Sendable, Equatable {
    /// The FileId (decimal digits, like VOD's).
    public var fileId: String
    /// Owner.
    public var tenant: Tenant
    /// Key of the bytes in the blob store.
    public var blobKey: String
    /// MIME type.
    public var contentType: String
    /// `png`, `jpg`, `webp`.
    public var fileType: String
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Size in bytes.
    public var size: Int
    /// Lower-case hex MD5.
    public var md5: String
    /// Display name.
    public var mediaName: String?
    /// Category id.
    public var classId: Int64
    /// When it was added.
    public var createdAt: Date
    /// The task that produced it, if any.
    public var sourceTaskId: String?

    /// A new random FileId: 18 decimal digits, like VOD's.
    public static func makeFileId() -> String {
        "38" + (0..<16).map { _ in String(Int.random(in: 0...9)) }.joined()
    }
}
