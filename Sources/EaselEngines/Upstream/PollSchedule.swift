/// The delays between the polls of one asynchronous upstream job: the first is the channel's `poll_interval_ms`
/// (1 s when not set), each next one ×1.5, never above ``ceiling(first:)``; every delay is shortened by up to
/// ``jitterSpread`` of itself so tasks submitted together do not poll in lockstep.
public struct PollSchedule: Sendable {
    /// The first delay when the channel sets no `poll_interval_ms`.
    public static let defaultFirst: Duration = .seconds(1)
    /// The longest delay between polls, whatever the first one.
    public static let maximumCeiling: Duration = .seconds(10)
    /// The largest share of a delay jitter may take off.
    public static let jitterSpread = 0.2

    /// The first delay.
    public let first: Duration
    private let ceiling: Duration
    private let jitter: PollJitter
    private var current: Duration

    /// Creates a schedule starting at `first` (at least 1 ms).
    public init(first: Duration = defaultFirst, jitter: PollJitter = .random) {
        self.first = max(first, .milliseconds(1))
        self.ceiling = Self.ceiling(first: self.first)
        self.jitter = jitter
        self.current = self.first
    }

    /// The cap of the backoff: ten times the first delay but at most ``maximumCeiling`` (and never below `first`).
    public static func ceiling(first: Duration) -> Duration {
        max(first, min(first * 10, maximumCeiling))
    }

    /// The pause before the next poll.
    public mutating func nextDelay() -> Duration {
        let base = current
        current = min(current * 1.5, ceiling)
        return base * (1 - Self.jitterSpread * jitter.fraction())
    }
}
