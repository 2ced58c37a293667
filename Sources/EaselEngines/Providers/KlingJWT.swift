import Crypto
import EaselCore
import Foundation

/// Kling's API token (providers.md §8): a JSON Web Token signed with HS256 under the account's SecretKey, header
/// `{"alg":"HS256","typ":"JWT"}`, claims `{"iss": AccessKey, "exp": now + 1800, "nbf": now - 5}` in Unix seconds,
/// each part base64url-encoded without padding. Kling answers 1003 before `nbf` and 1004 after `exp`.
public enum KlingJWT {
    /// Seconds a token stays valid.
    public static let lifetime: Int64 = 1800
    /// Seconds `nbf` lies in the past, to absorb small clock differences.
    public static let leeway: Int64 = 5

    /// The `Authorization` value for a request made at `now`: `Bearer <jwt>`.
    public static func authorization(accessKey: String, secretKey: String, now: Date) -> String {
        "Bearer " + token(accessKey: accessKey, secretKey: secretKey, now: now)
    }

    /// A signed token issued at `now`.
    public static func token(accessKey: String, secretKey: String, now: Date) -> String {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let header = JSONValue.object(["alg": .string("HS256"), "typ": .string("JWT")])
        let claims = JSONValue.object([
            "iss": .string(accessKey), "exp": .int(seconds + lifetime), "nbf": .int(seconds - leeway),
        ])
        let signingInput = base64URL(header.encoded()) + "." + base64URL(claims.encoded())
        let key = SymmetricKey(data: Data(secretKey.utf8))
        let signature = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: key)
        return signingInput + "." + base64URL(Data(signature))
    }

    /// Base64url (RFC 4648 §5) without padding.
    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
