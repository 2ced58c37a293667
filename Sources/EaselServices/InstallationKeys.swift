import Crypto
import EaselCore
import EaselMacros
import EaselStore
import Foundation

/// The keys an installation derives from its master key, the same on every node: the file-URL signer, each app's
/// webhook secret; and the issuing of app credentials.
@MemberwiseInit
public struct InstallationKeys: Sendable {
    /// Seals secrets and derives the per-purpose keys.
    public let secrets: SecretBox

    /// The signer for file URLs.
    public var urlSigner: URLSigner { URLSigner(keyBytes: secrets.derivedKey(purpose: "easel file urls v1")) }

    /// The key that signs an app's webhooks: derived from the master key, so every node agrees without storing it.
    /// The HMAC key is the UTF-8 of the printed secret, so receivers use the string exactly as shown.
    public func webhookSecret(for tenant: Tenant) -> [UInt8] {
        Array(webhookSecretText(for: tenant).utf8)
    }

    /// The webhook secret as printed to users: `whsec_` and 64 hex digits.
    public func webhookSecretText(for tenant: Tenant) -> String {
        "whsec_" + HexText.of(secrets.derivedKey(purpose: "easel webhooks v1 \(tenant.appId)/\(tenant.subAppId)"))
    }

    /// Creates an app credential in `store`: TC3 key pair and Bearer key, optionally temporary with a token.
    public func createCredential(tenant: Tenant, tokenTTL: Duration? = nil, now: Date = Date(),
                                 in store: any CredentialStore) async throws -> IssuedCredential {
        let secretId = "AKID" + TaskID.randomHex(bytes: 16)
        let secretKey = Data((0..<24).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            .replacingOccurrences(of: "/", with: "x").replacingOccurrences(of: "+", with: "z")
        let apiKey = "sk-easel-" + TaskID.randomHex(bytes: 24)
        let token = tokenTTL.map { _ in TaskID.randomHex(bytes: 32) }
        let expiresAt = tokenTTL.map { now.addingTimeInterval(Double($0.components.seconds)) }
        try await store.addCredential(Credential(secretId: secretId, secretKey: secretKey, tenant: tenant,
                                                 apiKeyHash: SHA256.hex(of: apiKey), tokenHash: token.map(SHA256.hex(of:)),
                                                 expiresAt: expiresAt, createdAt: now))
        return IssuedCredential(tenant: tenant, secretId: secretId, secretKey: secretKey, apiKey: apiKey, token: token,
                                expiresAt: expiresAt, webhookSecret: webhookSecretText(for: tenant))
    }
}
