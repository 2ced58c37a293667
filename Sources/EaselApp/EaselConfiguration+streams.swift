import Configuration
import EaselHTTP

extension EaselConfiguration {
    /// Bounds of the status streams (`streams.*`, `EASEL_STREAMS_*`).
    public struct StreamLimits: Sendable, Equatable {
        /// Concurrent status streams per app on one node (`streams.max_per_app`, `EASEL_STREAMS_MAX_PER_APP`);
        /// 0 = no limit. Default 100.
        public var maxPerApp = StreamSettings().maxPerApp
        /// Seconds between keep-alive comments (`streams.heartbeat_seconds`, `EASEL_STREAMS_HEARTBEAT_SECONDS`); 15.
        public var heartbeatSeconds = StreamSettings().heartbeat / .seconds(1)
        /// The longest a stream stays open, in seconds (`streams.max_duration_seconds`,
        /// `EASEL_STREAMS_MAX_DURATION_SECONDS`); 3600.
        public var maxDurationSeconds = StreamSettings().maxDuration / .seconds(1)
        /// How often a stream re-reads its task without a notice, in milliseconds (`streams.poll_interval_ms`,
        /// `EASEL_STREAMS_POLL_INTERVAL_MS`); 1000.
        public var pollIntervalMs = Int(StreamSettings().pollInterval / .milliseconds(1))

        /// Defaults.
        public init() {}

        /// The settings the streams run with.
        public var settings: StreamSettings {
            var settings = StreamSettings()
            settings.maxPerApp = maxPerApp
            settings.heartbeat = .milliseconds(Int64(heartbeatSeconds * 1000))
            settings.maxDuration = .milliseconds(Int64(maxDurationSeconds * 1000))
            settings.pollInterval = .milliseconds(pollIntervalMs)
            return settings
        }

        func validate() throws {
            if maxPerApp < 0 {
                throw ConfigurationError(description: "streams.max_per_app must be 0 (no limit) or more, got \(maxPerApp).")
            }
            for (name, value) in [("heartbeat_seconds", heartbeatSeconds), ("max_duration_seconds", maxDurationSeconds)] {
                if !(value > 0 && value <= 86_400) {
                    throw ConfigurationError(description: "streams.\(name) must be more than 0 and at most 86400, got \(value).")
                }
            }
            if !(10...60_000).contains(pollIntervalMs) {
                throw ConfigurationError(description: "streams.poll_interval_ms must be 10–60000, got \(pollIntervalMs).")
            }
        }
    }
}
