/// When a whole asynchronous upstream job (submit, polls, downloads) must be done, and the error its provider
/// reports once that moment has passed.
public struct JobDeadline: Sendable {
    /// The moment the job must be done by.
    public let instant: ContinuousClock.Instant
    /// What is thrown once it has passed (a retryable `TaskTimeout`).
    public let timedOut: EngineError

    /// The message of ``timedOut`` unless a provider words it its own way.
    public static let defaultTimedOut = EngineError(code: "TaskTimeout", message: "The upstream did not finish in time.",
                                                    isRetryable: true)

    /// The `TaskTimeout` of a provider that names itself in it: "`who` did not finish in time."
    public static func timedOut(by who: String) -> EngineError {
        EngineError(code: "TaskTimeout", message: "\(who) did not finish in time.", isRetryable: true)
    }

    /// A deadline `timeout` from now.
    public init(after timeout: Duration, timedOut: EngineError = defaultTimedOut) {
        self.instant = .now + timeout
        self.timedOut = timedOut
    }

    /// Time left; throws ``timedOut`` once none is.
    public func remaining() throws -> Duration {
        let left = instant - .now
        guard left > .zero else { throw timedOut }
        return left
    }

    /// The timeout of one request: what is left, but at least 1 s (so a late request still gets an answer).
    public var requestTimeout: Duration { max(instant - .now, .seconds(1)) }

    /// Sleeps `duration`, cut short at the deadline; throws ``timedOut`` when the deadline is reached first.
    public func sleep(_ duration: Duration) async throws {
        let left = try remaining()
        try await Task.sleep(for: min(duration, left))
        _ = try remaining()
    }
}
