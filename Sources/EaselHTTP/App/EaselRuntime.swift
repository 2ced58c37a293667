import Crypto
import EaselBlobs
import EaselCore
import EaselStore
import Foundation

/// The durable parts of an installation (database, blob store, master key) opened from a data directory. The
/// server and the admin commands (`easel keys`, `easel media`) share it.
public struct EaselRuntime: Sendable {
    /// The SQLite store.
    public let store: SQLiteStore
    /// The local blob store.
    public let blobs: LocalDiskBlobStore
    /// Seals secrets and derives the URL-signing key.
    public let secrets: SecretBox

    /// Opens (creating if needed) the installation in `configuration.dataDirectory`.
    public init(configuration: EaselConfiguration) throws {
        let root = URL(fileURLWithPath: configuration.dataDirectory, isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let keyBytes = try Self.masterKey(configured: configuration.masterKey, in: root)
        secrets = SecretBox(keyBytes: keyBytes)
        store = try SQLiteStore(path: root.appendingPathComponent("easel.sqlite").path, secrets: secrets,
                                defaultConcurrency: configuration.defaultConcurrency)
        blobs = try LocalDiskBlobStore(root: root.appendingPathComponent("blobs", isDirectory: true))
    }

    /// The signer for file URLs.
    public var urlSigner: URLSigner { URLSigner(keyBytes: secrets.derivedKey(purpose: "easel file urls v1")) }

    // A configured key is used through SHA-256 so any passphrase works; otherwise one is generated once, 0600.
    private static func masterKey(configured: String?, in root: URL) throws -> [UInt8] {
        if let configured, !configured.isEmpty {
            return Array(SHA256.hash(data: Data(configured.utf8)))
        }
        let file = root.appendingPathComponent("master.key")
        if let existing = try? Data(contentsOf: file), existing.count == 32 { return Array(existing) }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        FileManager.default.createFile(atPath: file.path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
        guard let written = try? Data(contentsOf: file), written == Data(bytes) else {
            throw ConfigurationError(description: "could not write the master key to \(file.path)")
        }
        return bytes
    }

    /// The key that signs an app's webhooks: derived from the master key, so every node agrees without storing it.
    /// The HMAC key is the UTF-8 of the printed secret, so receivers use the string exactly as shown.
    public func webhookSecret(for tenant: Tenant) -> [UInt8] {
        Array(webhookSecretText(for: tenant).utf8)
    }

    /// The webhook secret as printed to users: `whsec_` and 64 hex digits.
    public func webhookSecretText(for tenant: Tenant) -> String {
        "whsec_" + secrets.derivedKey(purpose: "easel webhooks v1 \(tenant.appId)/\(tenant.subAppId)")
            .map { String(format: "%02x", $0) }.joined()
    }

    /// Creates an app credential: TC3 key pair and Bearer key, optionally temporary with a token.
    public func createCredential(tenant: Tenant, tokenTTL: Duration? = nil, now: Date = Date()) async throws -> IssuedCredential {
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

/// A credential as shown once at creation.
public struct IssuedCredential: Sendable {
    /// The app.
    public let tenant: Tenant
    /// TC3/v1 SecretId.
    public let secretId: String
    /// TC3/v1 SecretKey.
    public let secretKey: String
    /// Bearer key for the REST and OpenAI dialects.
    public let apiKey: String
    /// Session token of temporary credentials.
    public let token: String?
    /// Expiry of temporary credentials.
    public let expiresAt: Date?
    /// The app's webhook signing secret; the HMAC key is its UTF-8 bytes.
    public let webhookSecret: String

    /// The JSON object `easel keys create` prints.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "AppId": .int(tenant.appId), "SubAppId": .int(tenant.subAppId), "SecretId": .string(secretId),
            "SecretKey": .string(secretKey), "ApiKey": .string(apiKey), "WebhookSecret": .string(webhookSecret),
        ]
        if let token { object["Token"] = .string(token) }
        if let expiresAt { object["ExpiresAt"] = .string(ISOTime.string(expiresAt)) }
        return .object(object)
    }
}
