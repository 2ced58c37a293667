import EaselHTTP
import EaselStore
import Hummingbird
import ServiceLifecycle

extension EaselServer {
    /// Everything `easel serve` runs, in start order, for one `ServiceGroup`. The group stops services in reverse
    /// order, one after the other, so on SIGTERM: readiness flips to draining at once; the dispatcher claims nothing
    /// more and lets its in-flight tasks finish while the HTTP server still answers (queries, PullEvents, downloads);
    /// then the signal relay, the webhook sender and the sweeper stop; then the HTTP servers; the shared HTTP client
    /// shuts down last. Fails when `metrics.require_admin_key` is set and nothing can check the admin key.
    public func services(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
                         onMetricsServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> [any Service] {
        if configuration.metrics.requireAdminKey, metricsAuthorization == nil {
            throw ConfigurationError(description: "metrics.require_admin_key is set but no admin key is available to check "
                                     + "/metrics requests against; set admin.api_key (EASEL_ADMIN_KEY) or turn the option off.")
        }
        var services: [any Service] = []
        if let httpClient { services.append(HTTPClientService(client: httpClient)) }
        if let metricsApplication = metricsApplication(onServerRunning: onMetricsServerRunning) {
            services.append(metricsApplication)
        }
        services.append(try application(onServerRunning: onServerRunning))
        services += [sweeper, webhookSender]
        if let signalRelay { services.append(signalRelay) }
        services += [dispatcher, http.readinessService()]
        return services
    }

    private func metricsApplication(onServerRunning: @escaping @Sendable (Int) async -> Void) -> (any Service)? {
        guard let port = configuration.metrics.port else { return nil }
        return Application(router: metricsRouter(),
                           configuration: .init(address: .hostname(configuration.server.host, port: port), serverName: "Easel"),
                           onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
                           logger: logger)
    }
}
