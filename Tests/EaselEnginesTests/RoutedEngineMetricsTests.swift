import EaselCore
import Metrics
import Prometheus
import Testing
@testable import EaselEngines

/// The upstream metrics count each attempt, retry, rate-limit wait and failover exactly once.
@Suite struct RoutedEngineMetricsTests {
    let routing = RoutedEngineTests()

    @Test func attemptsRetriesRateLimitsAndFailoversAreCounted() async throws {
        let registry = PrometheusCollectorRegistry()
        let limited = EngineError(code: "RequestLimitExceeded", message: "429", isRetryable: true, retryAfter: .seconds(2))
        let failing = ScriptedEngine(name: "primary", failures: [limited, routing.retryable])
        let backup = ScriptedEngine(name: "backup", failures: [routing.retryable])
        try await withMetricsFactory(PrometheusMetricsFactory(registry: registry)) {
            let engine = routing.engine([routing.route(failing, attempts: 2), routing.route(backup, attempts: 2)])
            _ = try await engine.generate(routing.job()) { _ in }
            let refused = ScriptedEngine(name: "strict", failures: [routing.fatal])
            await #expect(throws: EngineError.self) { try await routing.engine([routing.route(refused)]).generate(routing.job()) { _ in } }
        }
        let text = registry.emitToString()
        #expect(value(text, #"easel_upstream_calls_total{channel="primary",outcome="rate_limited"}"#) == 1)
        #expect(value(text, #"easel_upstream_calls_total{channel="primary",outcome="error"}"#) == 1)
        #expect(value(text, #"easel_upstream_calls_total{channel="primary",outcome="ok"}"#) == nil)
        #expect(value(text, #"easel_upstream_calls_total{channel="backup",outcome="error"}"#) == 1)
        #expect(value(text, #"easel_upstream_calls_total{channel="backup",outcome="ok"}"#) == 1)
        #expect(value(text, #"easel_upstream_calls_total{channel="strict",outcome="rejected"}"#) == 1)
        // One retry per channel: the second attempt is each channel's last.
        #expect(value(text, #"easel_upstream_retries_total{channel="primary"}"#) == 1)
        #expect(value(text, #"easel_upstream_retries_total{channel="backup"}"#) == 1)
        #expect(value(text, #"easel_upstream_retries_total{channel="strict"}"#) == nil)
        #expect(value(text, #"easel_upstream_rate_limited_total{channel="primary"}"#) == 1)
        #expect(value(text, #"easel_upstream_failovers_total{from="primary",to="backup"}"#) == 1)
        #expect(value(text, #"easel_upstream_call_duration_seconds_count{channel="primary"}"#) == 2)
        #expect(value(text, #"easel_upstream_call_duration_seconds_count{channel="backup"}"#) == 2)
    }

    // The value of one series in Prometheus text, or nil when it is absent.
    private func value(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }
            .flatMap { Double($0.dropFirst(series.count + 1)) }
    }
}
