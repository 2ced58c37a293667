import EaselMacros
import Foundation

/// One generated image of a finished task.
@MemberwiseInit
public struct TaskOutput: Codable, Sendable, Equatable {
    /// Position in the task's outputs, from 0.
    public var index: Int
    /// Key of the bytes in the blob store.
    public var blobKey: String
    /// Media-library id for permanent outputs.
    public var fileId: String?
    /// File extension / type: `png`, `jpg`.
    public var fileType: String
    /// MIME type.
    public var contentType: String
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Size in bytes.
    public var size: Int
    /// Lower-case hex MD5 of the bytes.
    public var md5: String
    /// Temporary or Permanent.
    public var storageMode: StorageMode
    /// When a temporary output stops being served.
    public var expiresAt: Date?
    /// Where the file lives when it was delivered outside Easel (the user's bucket).
    public var externalURL: String?
}
