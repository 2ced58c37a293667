/// What a client asked to generate, independent of the dialect it spoke: every dialect decodes into this,
/// the validator checks it against the catalog, and engines read it. Its fields (``Fields``) are read and written
/// as if they were its own (`request.prompt`).
///
/// The fields live in one shared, copy-on-write buffer, so a request is one pointer wide: a running task's request
/// is copied into the record, the engine job and each retry, and every copy of the ~400-byte fields held across an
/// `await` took room in that task's async frames, for each of 10,000 tasks in flight. Copies now share the buffer
/// until one of them is changed (as swift-protobuf stores messages with many fields).
@dynamicMemberLookup
public struct ImageRequest: Codable, Sendable, Equatable {
    @usableFromInline var storage: Storage

    /// Creates a request with the given model and defaults for everything else.
    public init(modelName: String, modelVersion: String, prompt: String? = nil) {
        storage = Storage(Fields(modelName: modelName, modelVersion: modelVersion, prompt: prompt))
    }

    /// Reads or writes one field; a write first copies fields that another request shares.
    @inlinable
    public subscript<Value>(dynamicMember field: WritableKeyPath<Fields, Value>) -> Value {
        get { storage.fields[keyPath: field] }
        set {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
            storage.fields[keyPath: field] = newValue
        }
    }

    public init(from decoder: any Decoder) throws {
        storage = Storage(try Fields(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try storage.fields.encode(to: encoder)
    }

    public static func == (lhs: ImageRequest, rhs: ImageRequest) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }

    /// The copy-on-write buffer behind a request's fields.
    // @unchecked Sendable is safe: after `init`, `fields` is written only by the subscript setter above (nothing
    // else in the module writes it; `storedJSON`, `encode` and `==` only read), and only when this request holds
    // the sole reference (`isKnownUniquelyReferenced` under the setter's exclusive `inout` access to `storage`).
    // A buffer that two requests share, and so possibly two tasks, is never written: it is copied first. Readers
    // on other tasks hold their own reference, so the count is above one while they can read. This is the
    // standard library's copy-on-write discipline (Array, String).
    @usableFromInline final class Storage: @unchecked Sendable {
        @usableFromInline var fields: Fields

        @usableFromInline
        init(_ fields: Fields) {
            self.fields = fields
        }
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
@MemberwiseInit
public struct PixelSize: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int

    /// The longest side a parsed size may have; larger values are not sizes any model renders, and bounding them
    /// keeps every product of two sides far from overflowing.
    public static let maxParsedSide = 100_000

    /// Parses `1024x1024`, `1024*1024` or `1024×1024`; nil unless both sides are in 1…``maxParsedSide``.
    public init?(parsing text: String) {
        let parts = text.lowercased().split { $0 == "x" || $0 == "*" || $0 == "×" }
        guard parts.count == 2, let width = Int(parts[0].trimmingWhitespace()),
              let height = Int(parts[1].trimmingWhitespace()),
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
@MemberwiseInit
public struct StoreCosParam: Codable, Sendable, Equatable {
    /// Bucket name.
    public var bucketName: String
    /// Bucket region (e.g. `ap-guangzhou`).
    public var bucketRegion: String
    /// Key prefix inside the bucket.
    public var bucketPath: String?
}

import EaselMacros
import Foundation
