import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EaselMacros

/// The HMAC used by Tencent Cloud signature v1, named as in the `SignatureMethod` parameter.
public enum V1SignatureMethod: String, Sendable, CaseIterable {
    /// `HmacSHA1`, the default when `SignatureMethod` is absent.
    case hmacSHA1 = "HmacSHA1"
    /// `HmacSHA256`.
    case hmacSHA256 = "HmacSHA256"
}

/// Tencent Cloud signature v1 (`HmacSHA1` / `HmacSHA256`), as the SDKs' `_format_sign_string` and `Sign.sign`
/// implement it.
public enum V1Signer {
    /// `METHOD + host + "/?" + k=v&…`: every parameter except `Signature`, sorted by key (by Unicode scalar, like
    /// Python's `sorted`), each `_` in a key replaced by `.`, values raw (decoded, not url-encoded).
    ///
    /// `host` is the endpoint the client was configured with, which is also the raw `Host` header it sends.
    public static func stringToSign(method: String, host: String, params: [String: String]) -> String {
        let keys = params.keys.filter { $0 != "Signature" }.sorted {
            $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars)
        }
        let pairs = keys.map { key in "\(key.replacingOccurrences(of: "_", with: "."))=\(params[key] ?? "")" }
        return "\(method.uppercased())\(host)/?\(pairs.joined(separator: "&"))"
    }

    /// `Base64(HMAC(secretKey, stringToSign))` with the hash named by `signatureMethod`.
    public static func sign(stringToSign: String, secretKey: String,
                            signatureMethod: V1SignatureMethod = .hmacSHA1) -> String {
        let key = SymmetricKey(data: Array(secretKey.utf8))
        let message = Array(stringToSign.utf8)
        switch signatureMethod {
        case .hmacSHA1:
            return Data(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key)).base64EncodedString()
        case .hmacSHA256:
            return Data(HMAC<SHA256>.authenticationCode(for: message, using: key)).base64EncodedString()
        }
    }

    /// Client side: the `Signature` value for `params` (which must already hold `SecretId`, `Timestamp`, `Nonce`
    /// and, unless HmacSHA1 is meant, `SignatureMethod`).
    public static func signature(method: String, host: String, params: [String: String], secretKey: String) -> String {
        let algorithm = params["SignatureMethod"].flatMap(V1SignatureMethod.init(rawValue:)) ?? .hmacSHA1
        return sign(stringToSign: stringToSign(method: method, host: host, params: params), secretKey: secretKey,
                    signatureMethod: algorithm)
    }
}

/// The outcome of a successful v1 verification.
@MemberwiseInit
public struct V1VerifiedRequest: Sendable, Equatable {
    /// The key id that signed the request.
    public let secretId: String
    /// The `Timestamp` parameter.
    public let timestamp: Int
    /// The HMAC the client used.
    public let signatureMethod: V1SignatureMethod
    /// The `Token` parameter, when the client used temporary credentials (unchecked here).
    public let token: String?
}

/// Server-side verification of signature v1 requests (form body for POST, query for GET, already url-decoded).
public struct V1Verifier: Sendable {
    /// The largest accepted difference, in seconds, between `Timestamp` and the server clock.
    public let allowedSkew: Int

    /// Creates a verifier.
    public init(allowedSkew: Int = 300) {
        self.allowedSkew = allowedSkew
    }

    /// Verifies decoded `params` of a request made with HTTP `method` to the raw `Host` header value `host`, at
    /// server time `now` (Unix seconds).
    ///
    /// Checks, in order: `SecretId`, `Timestamp` and `Signature` present (`MissingParameter`); the SecretId is
    /// known (`AuthFailure.SecretIdNotFound`); `Timestamp` is an integer (`AuthFailure.SignatureFailure`) within
    /// ``allowedSkew`` (`AuthFailure.SignatureExpire`); `SignatureMethod` is absent (HmacSHA1), `HmacSHA1` or
    /// `HmacSHA256`, and the signature matches in constant time (`AuthFailure.SignatureFailure`).
    public func verify(method: String, host: String, params: [String: String], now: Int,
                       secretKey: (String) -> String?) throws(SignatureError) -> V1VerifiedRequest {
        guard let secretId = params["SecretId"], !secretId.isEmpty else { throw .missingParameter("SecretId") }
        guard let timestampText = params["Timestamp"], !timestampText.isEmpty else {
            throw .missingParameter("Timestamp")
        }
        guard let provided = params["Signature"], !provided.isEmpty else { throw .missingParameter("Signature") }
        guard let key = secretKey(secretId) else { throw .secretIdNotFound(secretId) }
        guard SigningBytes.isDigits(timestampText), timestampText.utf8.count <= 15, let timestamp = Int(timestampText)
        else {
            throw .signatureFailure("Timestamp must be a Unix timestamp in seconds.")
        }
        guard abs(now - timestamp) <= allowedSkew else {
            throw .signatureExpire(timestamp: timestamp, serverTime: now)
        }
        let algorithm: V1SignatureMethod
        if let name = params["SignatureMethod"] {
            guard let known = V1SignatureMethod(rawValue: name) else {
                throw .signatureFailure("SignatureMethod must be HmacSHA1 or HmacSHA256.")
            }
            algorithm = known
        } else {
            algorithm = .hmacSHA1
        }
        let expected = V1Signer.sign(stringToSign: V1Signer.stringToSign(method: method, host: host, params: params),
                                     secretKey: key, signatureMethod: algorithm)
        guard SigningBytes.constantTimeEquals(expected, provided) else { throw .signatureFailure() }
        return V1VerifiedRequest(secretId: secretId, timestamp: timestamp, signatureMethod: algorithm,
                                 token: params["Token"])
    }
}
