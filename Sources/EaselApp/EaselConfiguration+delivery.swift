import Configuration
import EaselWorker

extension EaselConfiguration {
    /// How callbacks and webhooks are delivered. Keys (environment variable, default):
    /// - `delivery.allowed_hosts` (`EASEL_DELIVERY_ALLOWED_HOSTS`, comma-separated, none): hosts callbacks may reach
    ///   although they are private or loopback, e.g. `127.0.0.1` for a receiver on the same machine;
    /// - `delivery.retry_delays_seconds` (`EASEL_DELIVERY_RETRY_DELAYS`, `10,30,60,120,300,600,900,1800,1800,3600`):
    ///   the retry schedule of a failed delivery (±20 % jitter), then the dead letter.
    public struct DeliverySettings: Sendable, Equatable {
        /// Private or loopback hosts callbacks may reach.
        public var allowedHosts: [String] = []
        /// Seconds between the attempts of a failed delivery.
        public var retryDelays = WorkerSettings.defaults.deliveryRetry.delays.map(\.wholeSeconds)

        /// Defaults: public hosts only, 11 attempts over ~3 hours.
        public init() {}

        func validate() throws {
            guard retryDelays.allSatisfy({ $0 >= 0 }) else {
                throw ConfigurationError(description: "delivery.retry_delays_seconds (EASEL_DELIVERY_RETRY_DELAYS) must be seconds, none negative.")
            }
        }
    }
}
