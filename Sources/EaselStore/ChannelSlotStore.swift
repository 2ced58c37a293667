import EaselCore
import Foundation

/// Concurrency slots of upstream channels in a store shared by several nodes, so a channel's `max_concurrency` holds
/// for the cluster rather than per node.
///
/// A slot is held by one running task under its lease token. A holder whose task is no longer running under that
/// token (finished, re-queued, or its lease expired because its node died) holds nothing: `reclaimChannelSlots` frees
/// such slots, and `acquireChannelSlot` does so itself before it reports a channel full.
public protocol ChannelSlotStore: Sendable {
    /// Takes one of the slots `0..<limit` of `channel` for the task, or returns nil when all are held.
    func acquireChannelSlot(channel: String, limit: Int, taskId: TaskID, leaseToken: String, now: Date) async throws -> Int?
    /// Frees `slot` of `channel` if the task still holds it under `leaseToken`; completes although the caller was
    /// cancelled.
    func releaseChannelSlot(channel: String, slot: Int, taskId: TaskID, leaseToken: String) async throws
    /// Frees every slot whose holder no longer runs under its token; returns how many it freed.
    @discardableResult
    func reclaimChannelSlots(now: Date) async throws -> Int
    /// How many slots of `channel` are held now.
    func channelSlotsHeld(channel: String) async throws -> Int
}
