import EaselCore
import Foundation

/// Counts creates per tenant in fixed time windows in a store shared by several nodes, so a per-app create rate
/// limit holds for the cluster rather than per node.
public protocol CreateRateCounter: Sendable {
    /// Counts one create of `tenant` in the window that starts at `windowStart` (unix seconds) and returns how many
    /// that window now holds, this one included.
    func countCreate(tenant: Tenant, windowStart: Int64) async throws -> Int
    /// Forgets windows that started before `before`.
    func purgeRateWindows(before: Date) async throws
}
