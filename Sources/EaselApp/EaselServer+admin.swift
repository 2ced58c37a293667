import EaselHTTP

extension EaselServer {
    /// The admin key check as `metricsAuthorization` takes it: `server.metricsAuthorization = server.adminKeyCheck`.
    public var adminKeyCheck: MetricsAuthorization { adminEnvironment.adminKeyCheck }
}
