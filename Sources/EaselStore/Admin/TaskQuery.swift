import EaselCore
import Foundation

/// A search over every app's tasks for the admin API, newest first, with keyset pagination: pass the page's
/// `nextCursor` as `after` to read the next page; results never skip or repeat a task while tasks are added.
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
    public var limit: Int

    /// Creates a query.
    public init(appId: Int64? = nil, subAppId: Int64? = nil, statuses: [TaskStatus]? = nil, model: String? = nil,
                dialect: Dialect? = nil, createdFrom: Date? = nil, createdBefore: Date? = nil, idPrefix: String? = nil,
                sessionIdPrefix: String? = nil, after: Int64? = nil, limit: Int = 50) {
        self.appId = appId
        self.subAppId = subAppId
        self.statuses = statuses
        self.model = model
        self.dialect = dialect
        self.createdFrom = createdFrom
        self.createdBefore = createdBefore
        self.idPrefix = idPrefix
        self.sessionIdPrefix = sessionIdPrefix
        self.after = after
        self.limit = limit
    }
}

/// One page of a `TaskQuery`.
public struct TaskPage: Sendable, Equatable {
    /// The tasks, newest first.
    public var tasks: [TaskRecord]
    /// The cursor of the next page; nil on the last page.
    public var nextCursor: Int64?

    /// Creates a page.
    public init(tasks: [TaskRecord], nextCursor: Int64?) {
        self.tasks = tasks
        self.nextCursor = nextCursor
    }
}
