import EaselMacros
import Foundation

/// An app's API credentials: a TC3/v1 key pair, a Bearer API key, and for temporary (STS-style) credentials a
/// session token and an expiry.
@MemberwiseInit
public struct Credential: Sendable, Equatable {
    /// The public key id (`AKID…`).
    public var secretId: String
    /// The signing secret, needed in clear to verify signatures (encrypted at rest by the store).
    public var secretKey: String
    /// The app the credential acts for.
    public var tenant: Tenant
    /// SHA-256 hex of the Bearer API key; the key itself is shown once and never stored.
    public var apiKeyHash: String
    /// SHA-256 hex of the session token, for temporary credentials.
    public var tokenHash: String?
    /// When temporary credentials stop working.
    public var expiresAt: Date?
    /// When it was created.
    public var createdAt: Date
    /// When it was revoked, if it was.
    public var revokedAt: Date?

    /// Whether the credential may be used at `now`.
    public func isUsable(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { $0 > now } ?? true)
    }
}
