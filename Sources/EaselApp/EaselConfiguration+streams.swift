import Configuration
import EaselHTTP

extension EaselConfiguration {
    /// Bounds of the status streams (`streams.*`, `EASEL_STREAMS_*`).
    public struct StreamLimits: Sendable, Equatable {
        /// Concurrent status streams per app on one node (`streams.max_per_app`, `EASEL_STREAMS_MAX_PER_APP`);
        /// 0 = no limit. Default 100.
        public var maxPerApp = EaselSettings.streamsMaxPerApp.defaultValue
        /// Seconds between keep-alive comments (`streams.heartbeat_seconds`, `EASEL_STREAMS_HEARTBEAT_SECONDS`); 15.
        public var heartbeatSeconds = EaselSettings.streamsHeartbeatSeconds.defaultValue
        /// The longest a stream stays open, in seconds (`streams.max_duration_seconds`,
        /// `EASEL_STREAMS_MAX_DURATION_SECONDS`); 3600.
        public var maxDurationSeconds = EaselSettings.streamsMaxDurationSeconds.defaultValue
        /// How often a stream re-reads its task without a notice, in milliseconds (`streams.poll_interval_ms`,
        /// `EASEL_STREAMS_POLL_INTERVAL_MS`); 1000.
        public var pollIntervalMs = EaselSettings.streamsPollIntervalMs.defaultValue

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

        /// Reads `streams.*` through `reader`.
        init(reader: ConfigReader) throws {
            maxPerApp = try reader.value(EaselSettings.streamsMaxPerApp)
            heartbeatSeconds = try reader.value(EaselSettings.streamsHeartbeatSeconds)
            maxDurationSeconds = try reader.value(EaselSettings.streamsMaxDurationSeconds)
            pollIntervalMs = try reader.value(EaselSettings.streamsPollIntervalMs)
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
