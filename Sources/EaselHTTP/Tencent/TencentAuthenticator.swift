import EaselCore
import Foundation

/// Verifies TC3-HMAC-SHA256 and v1 signatures against the app credentials, plus STS-style tokens and replays.
struct TencentAuthenticator: Sendable {
    let credentials: CredentialCache
    let replayGuard: ReplayGuard

    /// The caller of `call` for `service` (`vod`/`mps`). `refuseReplay` is set for actions that change state:
    /// an identical signed request seen inside the window is refused. Reads are idempotent and SDKs legitimately
    /// repeat them within one second (same timestamp, same signature) while polling.
    func authenticate(_ call: TencentCall, service: String, refuseReplay: Bool,
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
        let timestamp: Int
        do {
            switch call.signing {
            case .tc3(let request):
                let verified = try TC3Verifier(allowedServices: [service]).verify(request, now: now) { _ in key }
                (signature, timestamp) = (verified.signature, verified.timestamp)
            case .v1(let method, let host, let params):
                let verified = try V1Verifier().verify(method: method, host: host, params: params, now: now) { _ in key }
                (signature, timestamp) = ((params["Signature"] ?? "") + (params["Nonce"] ?? ""), verified.timestamp)
            case .unsigned:
                throw SignatureError.signatureFailure()
            }
        } catch {
            throw error.apiError
        }
        guard let credential else { throw APIError("AuthFailure.SecretIdNotFound", "The SecretId does not exist.") }
        try checkToken(call.token, for: credential, now: now)
        if refuseReplay, !replayGuard.admit(signature: signature, timestamp: timestamp, now: now) {
            throw APIError("AuthFailure.SignatureFailure", "This signed request was already received; sign each request anew.")
        }
        return Principal(tenant: credential.tenant, secretId: credential.secretId)
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
