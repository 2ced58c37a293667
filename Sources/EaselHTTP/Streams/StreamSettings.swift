/// Bounds of the status streams (`…/status/stream`): how many an app may hold open, how often an idle one gets a
/// keep-alive comment, how long one lasts, and how often it re-reads its task when no notice arrives.
public struct StreamSettings: Sendable, Equatable {
    /// Concurrent streams per app on this node; 0 = no limit.
    public var maxPerApp = 100
    /// Interval of keep-alive comments on a stream with nothing new to say (they also reveal clients that went away).
    public var heartbeat: Duration = .seconds(15)
    /// The longest a stream stays open; the client reconnects to go on.
    public var maxDuration: Duration = .seconds(3600)
    /// How often a stream re-reads its task when no notice arrived: the queue position, and progress reported on
    /// another node, come in this way.
    public var pollInterval: Duration = .seconds(1)

    /// Defaults.
    public init() {}
}
