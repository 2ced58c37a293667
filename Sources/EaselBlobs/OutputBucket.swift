import AsyncHTTPClient
import EaselCore
import EaselMacros
import Foundation

/// A user's bucket that receives a task's outputs (MPS `StoreCosParam` or an app's configured bucket).
public struct BucketTarget: Sendable, Equatable {
    /// Bucket name.
    public var bucket: String
    /// Bucket region, when the request names one (COS), else the configured region.
    public var region: String?
    /// Key prefix (`CosBucketPath`), without leading or trailing slashes.
    public var prefix: String

    /// Creates a target.
    public init(bucket: String, region: String?, prefix: String?) {
        self.bucket = bucket
        self.region = region
        self.prefix = (prefix ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }
}

/// Uploads outputs to users' buckets.
public protocol OutputBucketUploader: Sendable {
    /// Puts `bytes` at `key` under the target's prefix and returns a URL for it: presigned for `linkLifetime` when
    /// given (buckets are usually private), else the plain object URL.
    func upload(_ bytes: [UInt8], to target: BucketTarget, key: String, contentType: String,
                linkLifetime: Duration?) async throws -> String
}

/// Uploads through the S3 API (AWS S3, Tencent COS, MinIO, …) with SigV4. The endpoint may contain `{region}`,
/// which is replaced by the target's region (COS: `https://cos.{region}.myqcloud.com`).
@MemberwiseInit
public struct S3OutputUploader: OutputBucketUploader {
    /// Endpoint template.
    public let endpointTemplate: String
    /// Region used when the target names none.
    public let defaultRegion: String
    /// Access key pair.
    public let credentials: SigV4Credentials
    /// Path-style or virtual-hosted addressing.
    public let addressingStyle: S3Configuration.AddressingStyle
    private let httpClient: HTTPClient

    public func upload(_ bytes: [UInt8], to target: BucketTarget, key: String, contentType: String,
                       linkLifetime: Duration?) async throws -> String {
        let region = target.region ?? defaultRegion
        guard let endpoint = URL(string: endpointTemplate.replacingOccurrences(of: "{region}", with: region)) else {
            throw S3Error(kind: .invalidRequest, operation: "PutObject", status: nil, code: nil,
                          message: "the bucket endpoint is not a URL")
        }
        let client = S3Client(configuration: S3Configuration(endpoint: endpoint, region: region, credentials: credentials,
                                                              addressingStyle: addressingStyle),
                               httpClient: httpClient)
        let objectKey = target.prefix.isEmpty ? key : "\(target.prefix)/\(key)"
        _ = try await client.putObject(bucket: target.bucket, key: objectKey, bytes: bytes, contentType: contentType)
        if let linkLifetime {
            // SigV4 presigned URLs live at most 7 days.
            let seconds = Int(min(linkLifetime.components.seconds, 7 * 86_400))
            return try client.presignedGetURL(bucket: target.bucket, key: objectKey, expires: seconds)
        }
        return try client.objectURL(bucket: target.bucket, key: objectKey).absoluteString
    }
}
