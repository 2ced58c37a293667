import EaselCore
import EaselMacros

/// A worker's claim on a running task: the token fences every later write of that task.
@MemberwiseInit
public struct TaskLease: Sendable, Hashable, CustomStringConvertible {
    /// The task.
    public let taskId: TaskID
    /// Unique per claim; a new claim of the same task gets a new token.
    public let token: String

    public var description: String { "\(taskId)#\(token.prefix(8))" }

    /// How many leases one store write renews (`TaskStore.renewLeases`), in either store.
    static let renewalBatch = 500
}

/// A task moved to processing by a claim, with its lease.
@MemberwiseInit
public struct ClaimedTask: Sendable {
    /// The task as claimed (status processing, attempts counted).
    public var task: TaskRecord
    /// The claim's lease.
    public let lease: TaskLease
}
