import EaselCore
import Foundation
import Hummingbird

/// Resolves `Authorization: Bearer <ApiKey>` to the key's app.
struct BearerAuthenticator: Sendable {
    let credentials: CredentialCache

    func authenticate(_ request: Request) async throws(APIError) -> Principal {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError("AuthFailure.InvalidAuthorization", "The Authorization header must be `Bearer <API key>`.")
        }
        let key = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
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
