import EaselCore
import Foundation

/// One insert waiting for a group-commit batch (see `PostgresStore.enqueue`): the task, its record encoded by the
/// caller (outside the batch), and the session it claims.
struct BatchedInsert: Sendable {
    let task: TaskRecord
    let record: Data
    /// The session the task claims (never empty), or nil.
    let dedupKey: String?
    /// A session claimed before this is free again.
    let dedupSince: Date

    /// The tenant whose `queue_tenants` row the batch locks before any write runs.
    var tenant: Tenant { task.tenant }
}
