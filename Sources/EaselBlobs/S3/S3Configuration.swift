import EaselCore
import EaselMacros
import Foundation

/// Where and how to reach one S3-compatible service: AWS S3, Tencent COS's S3 API, MinIO, moto.
///
/// `description` hides the secret (see ``SigV4Credentials``), so a configuration can be logged.
@MemberwiseInit
public struct S3Configuration: Sendable, Equatable {
    /// How a bucket appears in a request URL.
    public enum AddressingStyle: String, Sendable, Equatable, CaseIterable {
        /// `endpoint/bucket/key`: needed for endpoints that are IP addresses or `localhost` (moto, MinIO).
        case path
        /// `bucket.endpoint-host/key`: what AWS recommends and what Tencent COS requires.
        case virtualHosted = "virtual-hosted"
    }

    /// The service endpoint: scheme, host, optional port and optional path prefix, e.g. `http://127.0.0.1:5000`,
    /// `https://s3.us-east-1.amazonaws.com` or `https://cos.ap-guangzhou.myqcloud.com`.
    public var endpoint: URL
    /// The signing region, e.g. `us-east-1` or `ap-guangzhou`.
    public var region: String
    /// The access key.
    public var credentials: SigV4Credentials
    /// Path-style or virtual-hosted-style URLs.
    public var addressingStyle: AddressingStyle = .path
    /// Where objects are publicly reachable, when that is not the endpoint (a CDN or custom domain that maps to the
    /// bucket root): ``S3Client/objectURL(bucket:key:)`` then yields `publicBaseURL/key`.
    public var publicBaseURL: URL?
    /// The limit for one whole request, connection included.
    public var timeout: Duration = .seconds(60)
    /// The largest object body ``S3Client/getObject(bucket:key:)`` accepts.
    public var maxObjectBytes: Int = 256 * 1024 * 1024
    /// Whether uploads carry `Content-MD5`, so the service rejects a body damaged on the way (`BadDigest`).
    public var sendsContentMD5: Bool = true

    /// AWS S3 in `region`, virtual-hosted style.
    public static func aws(region: String, credentials: SigV4Credentials) -> S3Configuration? {
        URL(string: "https://s3.\(region).amazonaws.com").map {
            S3Configuration(endpoint: $0, region: region, credentials: credentials, addressingStyle: .virtualHosted)
        }
    }

    /// Tencent COS's S3-compatible API in `region` (e.g. `ap-guangzhou`); COS needs virtual-hosted style and bucket
    /// names of the form `name-appid`.
    public static func tencentCOS(region: String, credentials: SigV4Credentials) -> S3Configuration? {
        URL(string: "https://cos.\(region).myqcloud.com").map {
            S3Configuration(endpoint: $0, region: region, credentials: credentials, addressingStyle: .virtualHosted)
        }
    }

    /// The request URL for `bucket` and, when given, `key`, with `query` (already encoded) appended.
    public func requestURL(bucket: String, key: String?, query: String? = nil) throws(S3Error) -> URL {
        try Self.check(bucket: bucket, style: addressingStyle)
        guard let scheme = endpoint.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let authority = SigV4Signer.hostHeader(of: endpoint) else {
            throw S3Error(kind: .invalidRequest, operation: "BuildURL", message: "endpoint must be an http(s) URL")
        }
        var prefix = URLComponents(url: endpoint, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? ""
        while prefix.hasSuffix("/") { prefix.removeLast() }
        let encodedKey = key.map { "/" + SigV4Signer.uriEncode($0, encodeSlash: false) } ?? ""
        let text: String
        switch addressingStyle {
        case .path:
            text = "\(scheme)://\(authority)\(prefix)/\(bucket)\(encodedKey)"
        case .virtualHosted:
            text = "\(scheme)://\(bucket).\(authority)\(prefix)\(encodedKey.isEmpty ? "/" : encodedKey)"
        }
        guard let url = URL(string: query.map { "\(text)?\($0)" } ?? text) else {
            throw S3Error(kind: .invalidRequest, operation: "BuildURL", message: "cannot form a URL for this object")
        }
        return url
    }

    /// The plain (unsigned) URL of an object: under ``publicBaseURL`` when set, otherwise on the endpoint. It
    /// only works for objects the bucket policy or a CDN makes public; otherwise hand out a presigned URL.
    public func objectURL(bucket: String, key: String) throws(S3Error) -> URL {
        guard let base = publicBaseURL else { return try requestURL(bucket: bucket, key: key) }
        var text = base.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URL(string: "\(text)/\(SigV4Signer.uriEncode(key, encodeSlash: false))") else {
            throw S3Error(kind: .invalidRequest, operation: "BuildURL", message: "cannot form a public URL")
        }
        return url
    }

    /// Rejects bucket names that could not be a single path segment or, for virtual-hosted style, a DNS label run.
    static func check(bucket: String, style: AddressingStyle) throws(S3Error) {
        let allowed = bucket.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"),
                 UInt8(ascii: "."):
                return true
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
                return style == .path  // legacy path-style names only
            default:
                return false
            }
        }
        guard (3...255).contains(bucket.utf8.count), allowed, bucket != ".", bucket != "..",
              style == .path || (bucket.utf8.count <= 63 && !bucket.hasPrefix(".") && !bucket.hasSuffix(".")) else {
            throw S3Error(kind: .invalidRequest, operation: "BuildURL", message: "invalid bucket name")
        }
    }
}
