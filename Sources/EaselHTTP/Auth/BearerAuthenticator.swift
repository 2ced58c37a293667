import EaselCore
import Foundation
import Hummingbird

/// Resolves `Authorization: Bearer <ApiKey>`, or fal's `Authorization: Key <ApiKey>` (fal-client with `FAL_KEY` set
/// to an Easel API key), to the key's app.
struct BearerAuthenticator: Sendable {
    let credentials: CredentialCache

    func authenticate(_ request: Request) async throws(APIError) -> Principal {
        guard let header = request.headers[.authorization],
              let scheme = ["bearer ", "key "].first(where: { header.lowercased().hasPrefix($0) })
        else {
            throw APIError("AuthFailure.InvalidAuthorization", "The Authorization header must be `Bearer <API key>` or `Key <API key>`.")
        }
        let key = header.dropFirst(scheme.count).trimmingWhitespace()
        let credential: Credential?
        do {
            credential = try await credentials.credential(apiKey: key)
        } catch {
            throw .internalError
        }
        guard let credential, credential.isUsable(at: Date()) else {
            throw APIError("AuthFailure.SecretIdNotFound", "The API key does not exist or has been revoked.")
        }
        return Principal(tenant: credential.tenant, secretId: credential.secretId)
    }
}
