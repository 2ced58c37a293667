import EaselCore
import Foundation
import PostgresNIO

extension PostgresStore: CredentialStore {
    public func addCredential(_ credential: Credential) async throws {
        // Sealed with the server's SecretBox exactly as SQLite does: the database never sees the secret key.
        let sealed = Data(try secrets.seal(credential.secretKey))
        try await statement { tx in
            try await tx.run("""
                INSERT INTO credentials (secret_id, app_id, sub_app_id, secret_key_sealed, api_key_hash, token_hash,
                                         expires_at, created_at, revoked_at)
                VALUES (\(credential.secretId), \(credential.tenant.appId), \(credential.tenant.subAppId), \(sealed),
                        \(credential.apiKeyHash), \(credential.tokenHash)::text,
                        \(credential.expiresAt?.timeIntervalSince1970)::double precision,
                        \(credential.createdAt.timeIntervalSince1970),
                        \(credential.revokedAt?.timeIntervalSince1970)::double precision)
                """)
        }
    }

    public func credential(secretId: String) async throws -> Credential? {
        try await fetchCredentials(secretId: secretId, apiKeyHash: nil).first
    }

    public func credential(apiKeyHash: String) async throws -> Credential? {
        try await fetchCredentials(secretId: nil, apiKeyHash: apiKeyHash).first
    }

    public func allCredentials() async throws -> [Credential] {
        try await fetchCredentials(secretId: nil, apiKeyHash: nil)
    }

    public func revokeCredential(secretId: String, at: Date) async throws -> Bool {
        try await statement { tx in
            try await tx.run("""
                UPDATE credentials SET revoked_at = \(at.timeIntervalSince1970)
                WHERE secret_id = \(secretId) AND revoked_at IS NULL RETURNING 1
                """) > 0
        }
    }

    private func fetchCredentials(secretId: String?, apiKeyHash: String?) async throws -> [Credential] {
        let rows = try await statement { tx in
            try await tx.rows("""
                SELECT secret_id, app_id, sub_app_id, secret_key_sealed, api_key_hash, token_hash, expires_at, created_at,
                       revoked_at
                FROM credentials
                WHERE (\(secretId)::text IS NULL OR secret_id = \(secretId)::text)
                  AND (\(apiKeyHash)::text IS NULL OR api_key_hash = \(apiKeyHash)::text)
                ORDER BY created_at
                """)
        }
        return try rows.map { row in
            let (secretId, appId, subAppId, sealed, apiKeyHash, tokenHash, expires, created, revoked) =
                try row.decode((String, Int64, Int64, Data, String, String?, Double?, Double, Double?).self)
            return Credential(secretId: secretId, secretKey: try secrets.open(Array(sealed)),
                              tenant: Tenant(appId: appId, subAppId: subAppId), apiKeyHash: apiKeyHash, tokenHash: tokenHash,
                              expiresAt: expires.map(Date.init(timeIntervalSince1970:)),
                              createdAt: Date(timeIntervalSince1970: created),
                              revokedAt: revoked.map(Date.init(timeIntervalSince1970:)))
        }
    }
}
