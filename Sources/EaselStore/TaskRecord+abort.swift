import EaselCore
import Foundation

extension TaskRecord {
    /// Aborts the task as read inside a store transaction, by the rule every store applies: a task already aborted
    /// (a client's retry) is answered as it is, and returns false; only a waiting task can be aborted, anything else
    /// is a `conflict`.
    mutating func applyAbort(at date: Date) throws(StoreError) -> Bool {
        if status == .aborted { return false }
        guard status == .waiting else { throw StoreError.conflict }
        status = .aborted
        finishedAt = date
        errorCode = "OperationCanceled"
        errorMessage = "The task was aborted before it started."
        return true
    }
}
