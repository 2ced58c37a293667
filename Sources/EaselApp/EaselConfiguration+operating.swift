import Configuration
import EaselHTTP

extension EaselConfiguration {
    /// Where and for whom `/metrics` is served.
    public struct MetricsSettings: Sendable, Equatable {
        /// A separate port for `/metrics` (`metrics.port`, `EASEL_METRICS_PORT`), on the same host; nil: the main
        /// port serves it.
        public var port: Int?
        /// Whether `/metrics` needs the admin key as a Bearer token (`metrics.require_admin_key`,
        /// `EASEL_METRICS_REQUIRE_ADMIN_KEY`, default false).
        public var requireAdminKey = false

        /// Defaults: on the main port, open.
        public init() {}

    }

    func validateMetrics() throws {
        if let metricsPort = metrics.port {
            guard (0...65535).contains(metricsPort) else {
                throw ConfigurationError(description: "metrics.port must be 0–65535, got \(metricsPort).")
            }
            if metricsPort == server.port, server.port != 0 {
                throw ConfigurationError(description: "metrics.port must differ from server.port (\(server.port)).")
            }
        }
    }
}
