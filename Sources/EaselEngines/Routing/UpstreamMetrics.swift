import Foundation
import Metrics

/// Metrics of calls to upstream channels, emitted through swift-metrics (the server bootstraps the backend). Labels are
/// configured channel names and a fixed set of outcomes. Handles are made per event: one made before the bootstrap
/// would stay a no-op.
enum UpstreamMetrics {
    /// How one attempt on a channel ended (`easel_upstream_calls_total{outcome}`).
    enum Outcome: String {
        /// Images came back.
        case ok
        /// The upstream rate limited the call (HTTP 429 or the provider's equivalent).
        case rateLimited = "rate_limited"
        /// The upstream timed out.
        case timeout
        /// Another retryable failure: 5xx, reset, unreachable, an unreadable answer.
        case error
        /// A failure that is not retried: bad request, safety block, credentials.
        case rejected
        /// The task was cancelled (shutdown, lease lost) while the call ran.
        case cancelled
    }

    /// Runs one attempt on `channel`, recording its duration and outcome.
    static func measure<T>(channel: String, _ body: () async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        do {
            let result = try await body()
            record(channel: channel, since: started, outcome: .ok)
            return result
        } catch let error as EngineError {
            record(channel: channel, since: started, outcome: classify(error))
            throw error
        } catch is CancellationError {
            record(channel: channel, since: started, outcome: .cancelled)
            throw CancellationError()
        } catch {
            record(channel: channel, since: started, outcome: .error)
            throw error
        }
    }

    private static func record(channel: String, since started: ContinuousClock.Instant, outcome: Outcome) {
        let elapsed = ContinuousClock.now - started
        Metrics.Timer(label: "easel_upstream_call_duration_seconds", dimensions: [("channel", channel)])
            .record(duration: elapsed)
        Counter(label: "easel_upstream_calls_total", dimensions: [("channel", channel), ("outcome", outcome.rawValue)])
            .increment()
    }

    /// A retryable failure on `channel` is tried again there; `rateLimited` when the wait honours a rate limit.
    static func retrying(channel: String, rateLimited: Bool) {
        Counter(label: "easel_upstream_retries_total", dimensions: [("channel", channel)]).increment()
        if rateLimited {
            Counter(label: "easel_upstream_rate_limited_total", dimensions: [("channel", channel)]).increment()
        }
    }

    /// A model's job moved from a channel that kept failing to the next one.
    static func failover(from: String, to: String) {
        Counter(label: "easel_upstream_failovers_total", dimensions: [("from", from), ("to", to)]).increment()
    }

    static func classify(_ error: EngineError) -> Outcome {
        if isRateLimit(error) { return .rateLimited }
        guard error.isRetryable else { return .rejected }
        return error.code.kind == .timeout ? .timeout : .error
    }

    static func isRateLimit(_ error: EngineError) -> Bool {
        error.code.kind == .rateLimited
    }
}
