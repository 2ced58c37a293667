import Crypto

/// The TC3-HMAC-SHA256 algorithm (Tencent Cloud API signature v3), as the official SDKs implement it.
///
/// Every function is pure. The server uses the pieces to verify requests (see ``TC3Verifier``); clients use
/// ``authorization(secretId:secretKey:service:timestamp:request:signedHeaders:)`` to sign outgoing calls.
public enum TC3Signer {
    /// The header value that switches the payload hash to the hash of this literal.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// The header list the Python SDK and most clients sign.
    public static let defaultSignedHeaders = ["content-type", "host"]

    /// Lower-case hex SHA-256 of the payload: of the raw body, or of the literal `UNSIGNED-PAYLOAD` when the
    /// request carries `X-TC-Content-SHA256: UNSIGNED-PAYLOAD`.
    public static func payloadHash(for request: SignableRequest) -> String {
        if let mode = request.header("x-tc-content-sha256"), TC3Authorization.trim(mode) == unsignedPayload {
            return SigningBytes.sha256Hex(unsignedPayload)
        }
        return SigningBytes.sha256Hex(request.body)
    }

    /// The canonical request: method, canonical URI (always `/`, whatever path the client posted to), canonical
    /// query (the raw query for GET, empty otherwise), one `name:lowercase(trim(value))` line per signed header,
    /// the signed header list and the payload hash, joined by newlines.
    ///
    /// A signed header the request lacks contributes an empty value, so the signature simply fails to match.
    public static func canonicalRequest(for request: SignableRequest, signedHeaders: [String],
                                        payloadHash: String) -> String {
        let query = request.method == "GET" ? request.rawQuery : ""
        var headerLines = ""
        for name in signedHeaders {
            let value = request.header(name) ?? ""
            headerLines += "\(name):\(TC3Authorization.trim(value).lowercased())\n"
        }
        return [request.method, "/", query, headerLines, signedHeaders.joined(separator: ";"), payloadHash]
            .joined(separator: "\n")
    }

    /// The string to sign: `TC3-HMAC-SHA256`, the timestamp, the credential scope `date/service/tc3_request` and
    /// the hex SHA-256 of the canonical request, joined by newlines.
    public static func stringToSign(timestamp: Int, date: String, service: String, canonicalRequest: String) -> String {
        stringToSign(timestampText: String(timestamp), date: date, service: service,
                     canonicalRequest: canonicalRequest)
    }

    // The verifier must sign the X-TC-Timestamp text verbatim, not a re-rendering of its integer value.
    static func stringToSign(timestampText: String, date: String, service: String,
                             canonicalRequest: String) -> String {
        [TC3Authorization.algorithm, timestampText, "\(date)/\(service)/tc3_request",
         SigningBytes.sha256Hex(canonicalRequest)].joined(separator: "\n")
    }

    /// The three keys of the derivation chain: `SecretDate = HMAC("TC3" + secretKey, date)`,
    /// `SecretService = HMAC(SecretDate, service)`, `SecretSigning = HMAC(SecretService, "tc3_request")`.
    public static func derivedKeys(secretKey: String, date: String,
                                   service: String) -> (secretDate: [UInt8], secretService: [UInt8],
                                                        secretSigning: [UInt8]) {
        let secretDate = SigningBytes.hmacSHA256(key: Array("TC3\(secretKey)".utf8), date)
        let secretService = SigningBytes.hmacSHA256(key: secretDate, service)
        let secretSigning = SigningBytes.hmacSHA256(key: secretService, "tc3_request")
        return (secretDate, secretService, secretSigning)
    }

    /// The signing key (`SecretSigning`) for one day and service.
    public static func signingKey(secretKey: String, date: String, service: String) -> SymmetricKey {
        SymmetricKey(data: derivedKeys(secretKey: secretKey, date: date, service: service).secretSigning)
    }

    /// Lower-case hex `HMAC-SHA256(signingKey, stringToSign)`.
    public static func signature(signingKey: SymmetricKey, stringToSign: String) -> String {
        SigningBytes.signatureHex(stringToSign, key: signingKey)
    }

    /// Lower-case hex signature of `stringToSign`, deriving the signing key from `secretKey`, `date` and `service`.
    public static func signature(secretKey: String, date: String, service: String, stringToSign: String) -> String {
        signature(signingKey: signingKey(secretKey: secretKey, date: date, service: service),
                  stringToSign: stringToSign)
    }

    /// Client side: the complete `Authorization` header value for `request`, signed at `timestamp` (which the
    /// caller must also send as `X-TC-Timestamp`). The credential-scope date is the UTC date of `timestamp`.
    ///
    /// `request` must already carry every header named in `signedHeaders` (normally `Content-Type` and the
    /// `Host` value that will actually be sent) and, for unsigned-payload mode, `X-TC-Content-SHA256`.
    public static func authorization(secretId: String, secretKey: String, service: String, timestamp: Int,
                                     request: SignableRequest,
                                     signedHeaders: [String] = defaultSignedHeaders) -> String {
        let date = UTCDay.of(unixSeconds: timestamp)
        let canonical = canonicalRequest(for: request, signedHeaders: signedHeaders,
                                         payloadHash: payloadHash(for: request))
        let toSign = stringToSign(timestamp: timestamp, date: date, service: service, canonicalRequest: canonical)
        let signed = signature(secretKey: secretKey, date: date, service: service, stringToSign: toSign)
        return TC3Authorization(secretId: secretId, date: date, service: service, signedHeaders: signedHeaders,
                                signature: signed).headerValue
    }

    /// The UTC date (`YYYY-MM-DD`) of a Unix timestamp, as used in the credential scope.
    public static func utcDate(of timestamp: Int) -> String {
        UTCDay.of(unixSeconds: timestamp)
    }
}
