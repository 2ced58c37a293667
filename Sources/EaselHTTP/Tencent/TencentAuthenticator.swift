import EaselCore
import Foundation

/// Verifies TC3-HMAC-SHA256 and v1 signatures against the app credentials, plus STS-style tokens.
///
/// A request identical to one already received (same bytes, so the same signature) is authenticated like any
/// other: SDKs repeat reads within one second while polling, and clients retry creates. The principal carries the
/// signature so that a repeated create returns the first call's task instead of creating another.
struct TencentAuthenticator: Sendable {
    let credentials: CredentialCache

    /// The caller of `call` for `service` (`vod`/`mps`).
    func authenticate(_ call: TencentCall, service: String,
                      now: Int = Int(Date().timeIntervalSince1970)) async throws(APIError) -> Principal {
        let secretId: String?
        switch call.signing {
        case .tc3(let request): secretId = TC3Verifier.secretId(of: request)
        case .v1(_, _, let params): secretId = params["SecretId"]
        case .unsigned:
            throw APIError("AuthFailure.InvalidAuthorization", "The request is not signed: send a TC3-HMAC-SHA256 Authorization header or v1 signature parameters.")
        }
        let credential = try await lookUp(secretId)
        let key = credential.flatMap { $0.revokedAt == nil ? $0.secretKey : nil }
        let signature: String
        do {
            switch call.signing {
            case .tc3(let request):
                signature = try TC3Verifier(allowedServices: [service]).verify(request, now: now) { _ in key }.signature
            case .v1(let method, let host, let params):
                _ = try V1Verifier().verify(method: method, host: host, params: params, now: now) { _ in key }
                signature = (params["Signature"] ?? "") + "|" + (params["Nonce"] ?? "")
            case .unsigned:
                throw SignatureError.signatureFailure()
            }
        } catch {
            throw error.apiError
        }
        guard let credential else { throw APIError("AuthFailure.SecretIdNotFound", "The SecretId does not exist.") }
        try checkToken(call.token, for: credential, now: now)
        return Principal(tenant: credential.tenant, secretId: credential.secretId,
                         requestKey: "sig:" + SHA256Hex.of(signature).prefix(40))
    }

    private func lookUp(_ secretId: String?) async throws(APIError) -> Credential? {
        guard let secretId, !secretId.isEmpty else { return nil }
        do {
            return try await credentials.credential(secretId: secretId)
        } catch {
            throw .internalError
        }
    }

    private func checkToken(_ token: String?, for credential: Credential, now: Int) throws(APIError) {
        if let expiresAt = credential.expiresAt, expiresAt.timeIntervalSince1970 <= TimeInterval(now) {
            throw APIError("AuthFailure.TokenFailure", "The temporary credentials have expired.")
        }
        switch (credential.tokenHash, token.flatMap { $0.isEmpty ? nil : $0 }) {
        case (nil, nil): return
        case (let expected?, let given?) where SHA256Hex.of(given) == expected: return
        case (_?, nil): throw APIError("AuthFailure.TokenFailure", "These temporary credentials need their X-TC-Token.")
        default: throw APIError("AuthFailure.TokenFailure", "The X-TC-Token is not valid for this SecretId.")
        }
    }
}
