import EaselMacros

/// The app a key belongs to. Every task belongs to exactly one tenant, and a tenant sees only its own tasks.
@MemberwiseInit
public struct Tenant: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The account-level application id (MPS TaskIds carry it).
    public var appId: Int64
    /// The VOD sub-application id (VOD TaskIds carry it).
    public var subAppId: Int64

    public var description: String { "\(appId)/\(subAppId)" }
}
