import EaselMacros
import Foundation

/// One outbound notification of one task event, as the outbox keeps it.
@MemberwiseInit
public struct Delivery: Sendable, Equatable {
    /// Lifecycle of a delivery.
    public enum Status: String, Sendable, Codable {
        /// Waiting for its next attempt.
        case pending
        /// A receiver answered 2xx.
        case delivered
        /// Every attempt failed; kept for replay.
        case dead
    }

    /// Stable id, sent as `Easel-Webhook-Id` so receivers can deduplicate.
    public var id: String
    /// The task it reports.
    public var taskId: TaskID
    /// The owning app.
    public var tenant: Tenant
    /// Where it goes.
    public var url: String
    /// Body shape.
    public var format: DeliveryFormat
    /// Lifecycle.
    public var status: Status
    /// Attempts made so far.
    public var attempts: Int
    /// When the next attempt is due.
    public var nextAttemptAt: Date
    /// Why the last attempt failed.
    public var lastError: String?
    /// When it was created.
    public var createdAt: Date
    /// When a receiver accepted it.
    public var deliveredAt: Date?
}

/// A VOD event waiting to be pulled and confirmed.
@MemberwiseInit
public struct PulledEvent: Sendable, Equatable {
    /// The `EventHandle`.
    public var handle: String
    /// The task it reports.
    public var taskId: TaskID
}
