import Foundation

/// Blobs as objects in one S3 bucket, under a key prefix, so several Easel instances can share image storage.
///
/// Keys follow the same rules as ``LocalDiskBlobStore`` (``BlobKey/isValid(_:)``); the object key is
/// `prefix/key`. Failures surface as ``BlobError/io(_:)`` with the ``S3Error`` description (never credentials).
public struct S3BlobStore: BlobStore {
    /// The client that talks to the service.
    public let client: S3Client
    /// The bucket holding the blobs.
    public let bucket: String
    /// The object-key prefix, without leading or trailing `/` (empty for the bucket root).
    public let prefix: String

    /// Creates a store over `bucket`; `prefix` (e.g. `easel/outputs`) is trimmed of surrounding slashes.
    public init(client: S3Client, bucket: String, prefix: String = "") {
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }

    public func put(_ bytes: [UInt8], key: String, contentType: String) async throws {
        let object = try objectKey(for: key)
        do throws(S3Error) {
            try await client.putObject(bucket: bucket, key: object, bytes: bytes, contentType: contentType)
        } catch {
            throw BlobError.io(error.description)
        }
    }

    public func get(key: String) async throws -> [UInt8]? {
        let object = try objectKey(for: key)
        do throws(S3Error) {
            return try await client.getObject(bucket: bucket, key: object)
        } catch where error.isNoSuchKey {
            return nil
        } catch {
            throw BlobError.io(error.description)
        }
    }

    public func delete(key: String) async throws {
        let object = try objectKey(for: key)
        do throws(S3Error) {
            try await client.deleteObject(bucket: bucket, key: object)
        } catch {
            throw BlobError.io(error.description)
        }
    }

    /// A presigned GET URL for `key`, valid for `expires` seconds, to hand to a client that has no credentials.
    public func presignedURL(for key: String, expires: Int) throws -> String {
        let object = try objectKey(for: key)
        do throws(S3Error) {
            return try client.presignedGetURL(bucket: bucket, key: object, expires: expires)
        } catch {
            throw BlobError.io(error.description)
        }
    }

    /// The object key `prefix/key` for a blob key, after checking the blob key.
    public func objectKey(for key: String) throws -> String {
        guard BlobKey.isValid(key) else { throw BlobError.invalidKey(key) }
        return prefix.isEmpty ? key : "\(prefix)/\(key)"
    }
}
