import EaselCore
import EaselMacros
import Foundation

/// Queue and outbox figures for metrics gauges; each read costs a bounded amount whatever the queue's depth.
@MemberwiseInit
public struct QueueStatistics: Sendable, Equatable {
    /// Waiting tasks by priority (−10…10); priorities without tasks may be absent.
    public var waiting: [Int: Int]
    /// Running tasks by priority.
    public var running: [Int: Int]
}

/// Outbox figures for metrics gauges.
@MemberwiseInit
public struct OutboxStatistics: Sendable, Equatable {
    /// HTTP deliveries waiting to be sent (pending, including ones being retried).
    public var pendingDeliveries: Int
    /// Deliveries that exhausted their retries.
    public var deadDeliveries: Int
    /// Unconfirmed PullEvents per app.
    public var pendingEvents: [Tenant: Int]
}
