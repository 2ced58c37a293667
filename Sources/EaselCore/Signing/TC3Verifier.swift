import EaselMacros

/// The outcome of a successful TC3 verification.
@MemberwiseInit
public struct TC3VerifiedRequest: Sendable, Equatable {
    /// The key id that signed the request.
    public let secretId: String
    /// The credential-scope service (`vod`, `mps`, …).
    public let service: String
    /// The `X-TC-Timestamp` value.
    public let timestamp: Int
    /// The verified lower-case hex signature.
    public let signature: String
    /// The unsigned `X-TC-Token` header, when the client used temporary credentials; the caller checks it and
    /// answers ``SignatureError/tokenFailure(_:)`` when it is wrong.
    public let token: String?
}

/// Server-side verification of TC3-HMAC-SHA256 signed requests, following the Tencent SDKs byte for byte: raw
/// body, raw query (GET), raw `Host` (which may contain a port, a path or a scheme), canonical URI `/`.
public struct TC3Verifier: Sendable {
    /// The largest accepted difference, in seconds, between `X-TC-Timestamp` and the server clock.
    public let allowedSkew: Int
    /// The credential-scope services accepted (e.g. `["vod", "mps"]`).
    public let allowedServices: Set<String>

    /// Creates a verifier.
    public init(allowedSkew: Int = 300, allowedServices: Set<String>) {
        self.allowedSkew = allowedSkew
        self.allowedServices = allowedServices
    }

    /// The SecretId named by the request's `Authorization` header, if it parses; lets a caller fetch the key
    /// (possibly asynchronously) before calling ``verify(_:now:secretKey:)``.
    public static func secretId(of request: SignableRequest) -> String? {
        request.header("authorization").flatMap(TC3Authorization.secretId(in:))
    }

    /// Verifies `request` at server time `now` (Unix seconds), looking the secret key up with `secretKey`.
    ///
    /// Checks, in order: `Authorization` and `X-TC-Timestamp` present and well-formed
    /// (`AuthFailure.InvalidAuthorization`); the SecretId is known (`AuthFailure.SecretIdNotFound`); the
    /// timestamp is within ``allowedSkew`` (`AuthFailure.SignatureExpire`); the credential-scope date is the UTC
    /// date of the timestamp and the service is allowed, and the signature matches in constant time
    /// (`AuthFailure.SignatureFailure`). The token, if any, is returned unchecked.
    public func verify(_ request: SignableRequest, now: Int,
                       secretKey: (String) -> String?) throws(SignatureError) -> TC3VerifiedRequest {
        guard let header = request.header("authorization") else {
            throw .invalidAuthorization("the Authorization header is missing.")
        }
        let auth = try TC3Authorization(parsing: header)
        guard let rawTimestamp = request.header("x-tc-timestamp") else {
            throw .invalidAuthorization("the X-TC-Timestamp header is missing.")
        }
        let timestampText = TC3Authorization.trim(rawTimestamp)
        // Digits only (and bounded) so the text we sign is exactly what the client sent and fits in an Int.
        guard SigningBytes.isDigits(timestampText), timestampText.utf8.count <= 15, let timestamp = Int(timestampText)
        else {
            throw .invalidAuthorization("X-TC-Timestamp must be a Unix timestamp in seconds.")
        }
        guard let key = secretKey(auth.secretId) else { throw .secretIdNotFound(auth.secretId) }
        guard abs(now - timestamp) <= allowedSkew else {
            throw .signatureExpire(timestamp: timestamp, serverTime: now)
        }
        guard auth.date == UTCDay.of(unixSeconds: timestamp) else {
            throw .signatureFailure("The credential scope date must be the UTC date of X-TC-Timestamp.")
        }
        guard allowedServices.contains(auth.service) else {
            throw .signatureFailure("The credential scope service `\(auth.service)` is not accepted here.")
        }

        let canonical = TC3Signer.canonicalRequest(for: request, signedHeaders: auth.signedHeaders,
                                                   payloadHash: TC3Signer.payloadHash(for: request))
        let toSign = TC3Signer.stringToSign(timestampText: timestampText, date: auth.date, service: auth.service,
                                            canonicalRequest: canonical)
        let expected = TC3Signer.signature(secretKey: key, date: auth.date, service: auth.service,
                                           stringToSign: toSign)
        guard SigningBytes.constantTimeEquals(expected, auth.signature) else { throw .signatureFailure() }
        return TC3VerifiedRequest(secretId: auth.secretId, service: auth.service, timestamp: timestamp,
                                  signature: auth.signature, token: request.header("x-tc-token"))
    }
}
