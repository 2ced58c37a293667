import Metrics
import Prometheus

/// The process-wide Prometheus registry behind every swift-metrics handle. `MetricsSystem.bootstrap` may run once
/// per process, while tests start many servers in one: the first use of `registry` bootstraps it, later ones share it,
/// so counters accumulate across servers and tests compare deltas.
public enum EaselMetrics {
    /// The registry `/metrics` renders.
    public static let registry: PrometheusCollectorRegistry = bootstrapped()

    /// Bootstraps swift-metrics with the registry if nothing did yet; safe to call any number of times.
    public static func bootstrap() {
        _ = registry
    }

    /// The registry's metrics in Prometheus text format.
    static func render() -> [UInt8] {
        registry.emitToBuffer()
    }

    /// A swift-metrics factory over `registry` with Easel's histogram buckets.
    static func factory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Requests are short but OpenAI generations wait for their task; tasks and upstream calls take seconds to minutes.
        let request: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]
        let wait: [Double] = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600]
        let run: [Double] = [0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200]
        factory.durationHistogramBuckets = [
            "easel_http_request_duration_seconds": request.map(Self.duration),
            "easel_queue_wait_seconds": wait.map(Self.duration),
            "easel_task_run_seconds": run.map(Self.duration),
            "easel_upstream_call_duration_seconds": run.map(Self.duration),
        ]
        return factory
    }

    private static func bootstrapped() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(factory(registry: registry))
        return registry
    }

    private static func duration(_ seconds: Double) -> Duration {
        .milliseconds(Int64((seconds * 1000).rounded()))
    }
}

/// What `easel_build_info` reports.
public enum EaselBuild {
    /// The version of this build.
    public static let version = "0.1.0"
}
