import EaselCore
import EaselMacros
import Foundation

/// Usage of one app, credential and model on one UTC day. Counted in the same transaction as the state change it
/// records (created at insert, terminal outcomes at finish, abort or lease-expiry failure), so a crash never counts
/// a task twice or not at all.
@MemberwiseInit
public struct UsageRow: Codable, Sendable, Equatable {
    /// UTC day, `YYYY-MM-DD`: the day of creation for `created`, of the terminal state for the other counts.
    public var day: String
    /// The app.
    public var tenant: Tenant
    /// SecretId of the credential that created the tasks ("" when none is known).
    public var keyId: String
    /// `name-version`, e.g. `GEM-3.0`.
    public var model: String
    /// Tasks accepted.
    public var created: Int = 0
    /// Tasks that finished with images.
    public var succeeded: Int = 0
    /// Tasks that finished with an error.
    public var failed: Int = 0
    /// Tasks aborted before they ran.
    public var aborted: Int = 0
    /// Images produced by succeeded tasks.
    public var images: Int = 0
    /// Seconds from the start of the final attempt to the finish of tasks a worker finished (succeeded or failed);
    /// tasks failed because their workers kept dying, and aborted ones, add none.
    public var upstreamSeconds: Double = 0
}

/// Which usage rows to read; nil fields match everything. Days are inclusive `YYYY-MM-DD` bounds.
@MemberwiseInit
public struct UsageQuery: Sendable, Equatable {
    /// Only this app (all its sub-apps when `subAppId` is nil).
    public var appId: Int64?
    /// Only this sub-app.
    public var subAppId: Int64?
    /// Only this credential.
    public var keyId: String?
    /// Only this model (`name-version`).
    public var model: String?
    /// First day.
    public var since: String?
    /// Last day.
    public var until: String?
}
