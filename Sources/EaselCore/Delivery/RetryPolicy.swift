import EaselMacros

/// When to try a failed delivery again: a fixed schedule of growing delays, each spread by ±20% jitter so that
/// many deliveries failing together do not retry in lockstep. The default makes 11 attempts over about 2¾ hours.
@MemberwiseInit
public struct RetryPolicy: Sendable, Equatable {
    /// Delay before retry n (index 0 = after the first attempt).
    public var delays: [Duration]
    /// Fraction of each delay to randomise (0.2 = ±20%).
    public var jitter: Double = 0.2

    /// 10 s, 30 s, 1 min, 2 min, 5 min, 10 min, 15 min, 30 min, 30 min, 1 h.
    public static let webhookDefault = RetryPolicy(delays: [10, 30, 60, 120, 300, 600, 900, 1800, 1800, 3600].map { .seconds($0) })

    /// The delay after `attempts` failed attempts, or nil when the delivery should be given up (dead-lettered).
    public func delay(afterAttempts attempts: Int, random: Double = Double.random(in: -1...1)) -> Duration? {
        guard attempts >= 1, attempts <= delays.count else { return nil }
        let base = delays[attempts - 1]
        return base + base * (jitter * random)
    }
}
