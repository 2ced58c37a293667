import Configuration
import EaselWorker

extension EaselConfiguration {
    /// How tasks are admitted, claimed and run. Keys (environment variable, default):
    /// - `scheduling.default_concurrency` (`EASEL_DEFAULT_CONCURRENCY`, 1): running tasks per app, Tencent's default;
    /// - `scheduling.global_concurrency` (`EASEL_GLOBAL_CONCURRENCY`, 8): running tasks on this node;
    /// - `scheduling.create_rate_limit` (`EASEL_RATE_LIMIT`, 20): creates per second per app; 0 disables;
    /// - `scheduling.drain_timeout_seconds` (`EASEL_DRAIN_TIMEOUT_SECONDS`, 30): how long in-flight tasks may finish
    ///   after SIGTERM;
    /// - `scheduling.lease_seconds` (`EASEL_LEASE_SECONDS`, 60): how long a claim lasts without a renewal (the
    ///   node renews its tasks every third of it) before another node may take the task over;
    /// - `scheduling.max_attempts` (`EASEL_MAX_ATTEMPTS`, 3): starts of an interrupted task before it fails;
    /// - `scheduling.session_dedup_window_seconds` (`EASEL_SESSION_DEDUP_WINDOW_SECONDS`, 259200 = 3 days as
    ///   Tencent's): how long a SessionId deduplicates creates.
    public struct SchedulingSettings: Sendable, Equatable {
        /// Concurrent tasks per app.
        public var defaultConcurrency = 1
        /// Concurrent tasks on this node.
        public var globalConcurrency = WorkerSettings.defaults.globalConcurrency
        /// Creates per second per app; 0 disables.
        public var createRateLimit = 20.0
        /// Seconds in-flight tasks may finish after SIGTERM.
        public var drainTimeoutSeconds = WorkerSettings.defaults.drainTimeout.wholeSeconds
        /// Seconds a claim lasts without a renewal.
        public var leaseSeconds = WorkerSettings.defaults.lease.wholeSeconds
        /// Starts of a task before an interrupted one fails.
        public var maxAttempts = WorkerSettings.defaults.maxAttempts
        /// Seconds a SessionId deduplicates creates.
        public var sessionDedupWindowSeconds = WorkerSettings.defaults.sessionDedupWindow.wholeSeconds

        /// Defaults.
        public init() {}

        func validate() throws {
            guard sessionDedupWindowSeconds >= 0 else {
                throw ConfigurationError(description: "scheduling.session_dedup_window_seconds must not be negative.")
            }
            guard leaseSeconds >= 3, maxAttempts >= 1 else {
                throw ConfigurationError(description: "scheduling.lease_seconds must be at least 3 and scheduling.max_attempts at least 1.")
            }
            guard defaultConcurrency >= 1, globalConcurrency >= 1 else {
                throw ConfigurationError(description: "concurrency limits must be at least 1.")
            }
            guard createRateLimit >= 0 else {
                throw ConfigurationError(description: "scheduling.create_rate_limit must not be negative.")
            }
        }
    }
}
