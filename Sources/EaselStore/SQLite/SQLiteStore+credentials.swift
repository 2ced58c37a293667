import EaselCore
import Foundation
import GRDB

extension SQLiteStore: CredentialStore {
    public func addCredential(_ credential: Credential) async throws {
        let sealed = try secrets.seal(credential.secretKey)
        try await write { db in
            try db.execute(sql: """
                INSERT INTO credentials (secret_id, app_id, sub_app_id, secret_key_sealed, api_key_hash, token_hash,
                                         expires_at, created_at, revoked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [credential.secretId, credential.tenant.appId, credential.tenant.subAppId, Data(sealed),
                                 credential.apiKeyHash, credential.tokenHash, credential.expiresAt?.timeIntervalSince1970,
                                 credential.createdAt.timeIntervalSince1970, credential.revokedAt?.timeIntervalSince1970])
        }
    }

    public func credential(secretId: String) async throws -> Credential? {
        try await fetchCredentials(where: "secret_id = ?", secretId).first
    }

    public func credential(apiKeyHash: String) async throws -> Credential? {
        try await fetchCredentials(where: "api_key_hash = ?", apiKeyHash).first
    }

    public func allCredentials() async throws -> [Credential] {
        try await fetchCredentials(where: "1 = 1", nil)
    }

    public func revokeCredential(secretId: String, at: Date) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE credentials SET revoked_at = ? WHERE secret_id = ? AND revoked_at IS NULL",
                           arguments: [at.timeIntervalSince1970, secretId])
            return db.changesCount > 0
        }
    }

    private func fetchCredentials(where condition: String, _ argument: String?) async throws -> [Credential] {
        let rows = try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM credentials WHERE \(condition) ORDER BY created_at",
                             arguments: argument.map { [$0] } ?? []).map(SealedCredential.init(row:))
        }
        return try rows.map { sealed in
            var credential = sealed.credential
            credential.secretKey = try secrets.open(sealed.sealedKey)
            return credential
        }
    }
}

/// A credential row with its secret key still sealed (rows themselves cannot leave the database queue).
private struct SealedCredential: Sendable {
    var credential: Credential
    var sealedKey: [UInt8]

    init(row: Row) {
        let sealed: Data = row["secret_key_sealed"]
        let expires: Double? = row["expires_at"]
        let revoked: Double? = row["revoked_at"]
        sealedKey = Array(sealed)
        credential = Credential(
            secretId: row["secret_id"], secretKey: "", tenant: Tenant(appId: row["app_id"], subAppId: row["sub_app_id"]),
            apiKeyHash: row["api_key_hash"], tokenHash: row["token_hash"], expiresAt: expires.map(Date.init(timeIntervalSince1970:)),
            createdAt: Date(timeIntervalSince1970: row["created_at"]), revokedAt: revoked.map(Date.init(timeIntervalSince1970:)))
    }
}
