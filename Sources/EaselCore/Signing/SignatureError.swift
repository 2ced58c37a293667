import EaselMacros

/// An authentication failure raised while checking a Tencent Cloud request signature (TC3-HMAC-SHA256 or v1).
///
/// `code` is the Tencent error code that the dialect layer puts in `Response.Error.Code`; `message` is safe to
/// show to the client and never contains key material.
@MemberwiseInit
public struct SignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The Tencent error code, e.g. `AuthFailure.SignatureFailure`.
    public let code: String
    /// A message for humans.
    public let message: String

    /// `code: message`.
    public var description: String { "\(code): \(message)" }

    /// The same error as an ``APIError``, for rendering in a dialect envelope.
    public var apiError: APIError { APIError(code: code, message) }

    /// `AuthFailure.InvalidAuthorization`: the `Authorization` header (or a header it depends on) is missing or
    /// malformed. `reason` says what is wrong.
    public static func invalidAuthorization(_ reason: String) -> Self {
        .init(code: "AuthFailure.InvalidAuthorization",
              message: "The Authorization in the request header is invalid: \(reason)")
    }

    /// `AuthFailure.SecretIdNotFound`: no key is registered under `secretId`.
    public static func secretIdNotFound(_ secretId: String) -> Self {
        .init(code: "AuthFailure.SecretIdNotFound",
              message: "The SecretId `\(secretId)` is not found, please ensure that your SecretId is correct.")
    }

    /// `AuthFailure.SignatureExpire`: the request timestamp is outside the accepted window around `serverTime`.
    public static func signatureExpire(timestamp: Int, serverTime: Int) -> Self {
        .init(code: "AuthFailure.SignatureExpire",
              message: "Signature expired, please check the request time and the server time. "
                + "Timestamp is \(timestamp), server time is \(serverTime).")
    }

    /// `AuthFailure.SignatureFailure`: the signature does not match, or the credential scope is not acceptable.
    /// `reason` narrows it down when that reveals nothing secret.
    public static func signatureFailure(_ reason: String? = nil) -> Self {
        let base = "The provided credentials could not be validated. Please check your signature is correct."
        return .init(code: "AuthFailure.SignatureFailure", message: reason.map { "\(base) \($0)" } ?? base)
    }

    /// `AuthFailure.TokenFailure`: the temporary-credential token (`X-TC-Token` / `Token`) is invalid or expired.
    public static func tokenFailure(_ reason: String? = nil) -> Self {
        let base = "The token is invalid or has expired."
        return .init(code: "AuthFailure.TokenFailure", message: reason.map { "\(base) \($0)" } ?? base)
    }

    /// `MissingParameter`: a parameter that signature v1 requires (`SecretId`, `Timestamp`, `Signature`) is absent.
    public static func missingParameter(_ name: String) -> Self {
        .init(code: "MissingParameter", message: "The request is missing a required parameter `\(name)`.")
    }
}
