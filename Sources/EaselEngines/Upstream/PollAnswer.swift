/// What one status query of an asynchronous upstream job said, as a provider's wire mapping reads it.
public enum PollAnswer: Sendable {
    /// Still queued or running.
    case pending(Progress)
    /// Done, with where its images are.
    case succeeded(Results)
    /// The job itself failed; the error is reported as it is (polling again would not help).
    case failed(EngineError)

    /// How far a pending job is, as far as the upstream tells.
    public enum Progress: Sendable, Equatable {
        /// Waiting in the upstream's queue.
        case queued
        /// Running, with no percentage given.
        case running
        /// Running, at this percentage of the task (already scaled to the task's progress).
        case percent(Int)
        /// Nothing to tell (an unknown status, or a state that says nothing about progress).
        case unknown
    }

    /// Where a finished job's images are.
    public enum Results: Sendable, Equatable {
        /// URLs to download.
        case urls([String])
        /// Image bytes the answer carried inline.
        case bytes([[UInt8]])

        /// Whether there is no image at all.
        public var isEmpty: Bool {
            switch self {
            case .urls(let urls): urls.isEmpty
            case .bytes(let files): files.isEmpty
            }
        }
    }
}
