import EaselCore
import EaselEngines
import EaselMacros
import EaselStore
import Foundation

/// The engines' cluster-wide channel slots, kept in the shared store.
@MemberwiseInit
public struct StoreChannelSlots: SharedChannelSlots {
    private let store: any ChannelSlotStore

    public func acquire(channel: String, limit: Int, taskId: TaskID, leaseToken: String) async throws -> Int? {
        try await store.acquireChannelSlot(channel: channel, limit: limit, taskId: taskId, leaseToken: leaseToken, now: Date())
    }

    public func release(channel: String, slot: Int, taskId: TaskID, leaseToken: String) async {
        try? await store.releaseChannelSlot(channel: channel, slot: slot, taskId: taskId, leaseToken: leaseToken)
    }
}
