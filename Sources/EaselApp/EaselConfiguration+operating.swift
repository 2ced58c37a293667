import Configuration
import EaselHTTP
import Logging

extension EaselConfiguration {
    /// Where and for whom `/metrics` is served.
    public struct MetricsSettings: Sendable, Equatable {
        /// A separate port for `/metrics` (`metrics.port`, `EASEL_METRICS_PORT`), on the same host; nil: the main
        /// port serves it.
        public var port: Int?
        /// Whether `/metrics` needs the admin key as a Bearer token (`metrics.require_admin_key`,
        /// `EASEL_METRICS_REQUIRE_ADMIN_KEY`, default false).
        public var requireAdminKey = EaselSettings.metricsRequireAdminKey.defaultValue

        /// Defaults: on the main port, open.
        public init() {}

        /// Reads `metrics.*` through `reader`.
        init(reader: ConfigReader) throws {
            port = try reader.value(EaselSettings.metricsPort)
            requireAdminKey = try reader.value(EaselSettings.metricsRequireAdminKey)
        }
    }

    /// The log format as configured.
    public var effectiveLogFormat: LogFormat { LogFormat(rawValue: logFormat) ?? .text }

    /// `log_level` as a logger level (`info` when it names none).
    public var loggerLevel: Logger.Level { Logger.Level(rawValue: logLevel) ?? .info }

    func validateOperating() throws {
        guard LogFormat(rawValue: logFormat) != nil else {
            throw ConfigurationError(description: "log_format must be text or json, got `\(logFormat)`.")
        }
        if let metricsPort = metrics.port {
            guard (0...65535).contains(metricsPort) else {
                throw ConfigurationError(description: "metrics.port must be 0–65535, got \(metricsPort).")
            }
            if metricsPort == port, port != 0 {
                throw ConfigurationError(description: "metrics.port must differ from server.port (\(port)).")
            }
        }
    }
}
