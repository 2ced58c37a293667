import Configuration
import EaselHTTP
import Logging

extension EaselConfiguration {
    /// What the node logs and how. Keys (environment variable, default):
    /// - `log_level` (`EASEL_LOG_LEVEL`, `info`): trace, debug, info, notice, warning, error;
    /// - `log_format` (`EASEL_LOG_FORMAT`, `text`): `text`, or `json` for one object per line (log collectors).
    public struct LogSettings: Sendable, Equatable {
        /// Log level.
        public var level = "info"
        /// Log line format, lowercased.
        public var format = "text"

        /// Defaults: info, as text.
        public init() {}

        /// The log format as configured.
        public var effectiveFormat: LogFormat { LogFormat(rawValue: format) ?? .text }

        /// `level` as a logger level (`info` when it names none).
        public var loggerLevel: Logger.Level { Logger.Level(rawValue: level) ?? .info }

        func validate() throws {
            guard LogFormat(rawValue: format) != nil else {
                throw ConfigurationError(description: "log_format must be text or json, got `\(format)`.")
            }
        }
    }
}
