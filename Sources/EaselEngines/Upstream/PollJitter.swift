import Synchronization

/// Where the random part of a poll delay comes from: the system generator in production, a seeded generator or none
/// at all in tests, so a schedule can be replayed exactly.
public struct PollJitter: Sendable {
    /// Returns a fraction in `0..<1`.
    let fraction: @Sendable () -> Double

    /// Creates a jitter source from a function returning fractions in `0..<1` (values outside are clamped).
    public init(fraction: @escaping @Sendable () -> Double) {
        self.fraction = { min(max(fraction(), 0), 0.999_999) }
    }

    /// The system's random generator.
    public static let random = PollJitter { Double.random(in: 0..<1) }

    /// No jitter: every delay is exactly the backoff value.
    public static let none = PollJitter { 0 }

    /// A reproducible sequence (SplitMix64) starting from `seed`.
    public static func seeded(_ seed: UInt64) -> PollJitter {
        let state = Mutex(seed)
        return PollJitter {
            let value = state.withLock { state -> UInt64 in
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
            return Double(value >> 11) / Double(1 << 53)
        }
    }
}
