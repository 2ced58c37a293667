import EaselCore
import Foundation

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
