import EaselCore

/// Channel concurrency shared by the nodes of one cluster: every upstream call of a channel holds one of its
/// `max_concurrency` slots, so the cap holds across nodes rather than per node. With one node it is not needed (the
/// node's own limiter is exact) and is absent.
public protocol SharedChannelSlots: Sendable {
    /// Takes one of the `limit` slots of `channel` for the task running under `leaseToken`; nil when all are held.
    func acquire(channel: String, limit: Int, taskId: TaskID, leaseToken: String) async throws -> Int?
    /// Gives the slot back; a failure is left to the store's reclaim, which frees slots of tasks no longer running.
    func release(channel: String, slot: Int, taskId: TaskID, leaseToken: String) async
}
