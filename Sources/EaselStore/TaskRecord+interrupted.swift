import EaselCore
import Foundation

extension TaskRecord {
    /// Ends a task whose workers kept dying: failed with `InternalError` at `now`, after `attempts` starts.
    mutating func failAsInterrupted(at now: Date) {
        status = .failed
        finishedAt = now
        progress = 100
        errorCode = "InternalError"
        errorMessage = "The worker running this task stopped \(attempts) times; the task was not retried again."
    }
}
