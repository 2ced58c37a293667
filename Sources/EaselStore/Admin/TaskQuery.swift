import EaselCore
import EaselMacros
import Foundation

/// A search over every app's tasks for the admin API, newest first, with keyset pagination: pass the page's
/// `nextCursor` as `after` to read the next page; results never skip or repeat a task while tasks are added.
@MemberwiseInit
public struct TaskQuery: Sendable, Equatable {
    /// Only this app (all its sub-apps when `subAppId` is nil).
    public var appId: Int64?
    /// Only this sub-app.
    public var subAppId: Int64?
    /// Only these states.
    public var statuses: [TaskStatus]?
    /// Only this model (`name-version`, e.g. `GEM-3.0`, or a bare name for every version).
    public var model: String?
    /// Only this dialect.
    public var dialect: Dialect?
    /// Created at or after.
    public var createdFrom: Date?
    /// Created before.
    public var createdBefore: Date?
    /// TaskId starts with.
    public var idPrefix: String?
    /// SessionId starts with.
    public var sessionIdPrefix: String?
    /// The cursor of the previous page.
    public var after: Int64?
    /// Page size, 1…500.
    public var limit: Int = 50
}

/// One page of a `TaskQuery`.
@MemberwiseInit
public struct TaskPage: Sendable, Equatable {
    /// The tasks, newest first.
    public var tasks: [TaskRecord]
    /// The cursor of the next page; nil on the last page.
    public var nextCursor: Int64?
}
