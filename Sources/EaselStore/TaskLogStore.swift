import EaselCore
import Foundation

/// One line of a task's log: something that happened to it, when (claimed by a node, its upstream task id, a retry,
/// a failover). Writers put only ids, names, counts and error codes in it, never request text or secrets.
public struct TaskLogLine: Sendable, Equatable {
    /// The task.
    public var taskId: TaskID
    /// When it happened.
    public var at: Date
    /// What happened, one short sentence.
    public var message: String

    /// The longest message kept; longer ones are cut.
    public static let maximumMessageLength = 300

    /// Creates a line; `message` is cut to `maximumMessageLength` characters.
    public init(taskId: TaskID, at: Date, message: String) {
        self.taskId = taskId
        self.at = at
        self.message = String(message.prefix(Self.maximumMessageLength))
    }
}

/// The log lines of tasks, kept beside them and deleted with them.
public protocol TaskLogStore: Sendable {
    /// Appends lines (of one task or several) in one write. Lines of tasks that do not exist (any more) are dropped.
    func appendTaskLogs(_ lines: [TaskLogLine]) async throws
    /// The first `limit` lines of a task, oldest first.
    func taskLogs(taskId: TaskID, limit: Int) async throws -> [TaskLogLine]
}
