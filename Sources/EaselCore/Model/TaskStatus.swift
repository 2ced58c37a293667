/// Lifecycle of a task. Each dialect maps it to its own vocabulary (VOD WAITING/PROCESSING/FINISH/ABORTED,
/// MPS WAIT/RUN/FAIL/DONE, OpenAI synchronous results).
public enum TaskStatus: String, Codable, Sendable, CaseIterable {
    /// Queued, not yet claimed by a worker.
    case waiting
    /// Claimed by a worker and running.
    case processing
    /// Finished with images.
    case succeeded
    /// Finished with an error code.
    case failed
    /// Aborted by the client before it ran.
    case aborted

    /// Whether the task will not change any more.
    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .aborted }
}
