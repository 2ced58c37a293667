import EaselMacros

/// An access key for AWS Signature Version 4 (AWS S3, Tencent COS's S3 API, MinIO, moto, …).
///
/// `description` never shows the secret or the session token, so a configuration can be logged safely.
@MemberwiseInit
public struct SigV4Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The access key id (`AKIA…`), sent in the clear in every credential scope.
    public var accessKeyId: String
    /// The secret access key; only ever used as HMAC key material.
    public var secretAccessKey: String
    /// The STS session token of temporary credentials, sent as `x-amz-security-token`.
    public var sessionToken: String?

    public var description: String {
        "SigV4Credentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>"
            + (sessionToken == nil ? ")" : ", sessionToken: <redacted>)")
    }

    public var debugDescription: String { description }
}

/// Every intermediate of one header signature (AWS SigV4, Volcengine V4), so tests can compare each step with
/// published values.
public struct SigV4Signature: Sendable, Equatable {
    /// The canonical request (method, URI, query, headers, signed header list, payload hash).
    public let canonicalRequest: String
    /// `AWS4-HMAC-SHA256`, the amz date, the credential scope and the hex SHA-256 of the canonical request.
    public let stringToSign: String
    /// The `;`-joined lower-case names of the signed headers.
    public let signedHeaders: String
    /// The lower-case hex signature.
    public let signature: String
    /// The complete `Authorization` header value.
    public let authorization: String
    /// The headers the caller must add to the request, exactly as signed: `host` (only when the caller supplied
    /// none), `x-amz-date`, `x-amz-security-token` (temporary credentials only) and `Authorization`.
    public let headersToAdd: [SigV4Header]
}

/// One header name and value.
public struct SigV4Header: Sendable, Equatable {
    /// The header name as it should be sent.
    public let name: String
    /// The header value.
    public let value: String

    /// Creates a header pair.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// Every intermediate of one query-string (presigned URL) signature.
public struct SigV4Presignature: Sendable, Equatable {
    /// The canonical request, whose payload hash is `UNSIGNED-PAYLOAD`.
    public let canonicalRequest: String
    /// The string to sign.
    public let stringToSign: String
    /// The lower-case hex signature (the `X-Amz-Signature` value).
    public let signature: String
    /// The presigned URL: the original URL with the authentication parameters and the signature appended.
    public let url: String
}
