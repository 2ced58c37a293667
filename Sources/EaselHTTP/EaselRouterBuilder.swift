import EaselCore
import EaselMacros
import EaselStore
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// The HTTP side of a node, built by the composition root from the environments it wired: the main router with
/// every dialect, files, deliveries, the admin API and the console; the probes and `/metrics`; the HTTP/1 server
/// with Easel's channel handlers; the service that flips readiness on shutdown.
@MemberwiseInit
public struct EaselRouterBuilder: Sendable {
    let environment: ServerEnvironment
    let admin: AdminEnvironment
    let readiness: Readiness
    let statistics: (any StoreStatistics)?
    let storeKind: String
    let metricsAuthorization: MetricsAuthorization?
    let metricsOnMainPort: Bool
    let secureCookies: Bool
    let logger: Logger

    /// The router with every dialect.
    public func router() -> Router<EaselRequestContext> {
        EaselMetrics.bootstrap()
        let router = Router(context: EaselRequestContext.self)
        router.add(middleware: ObservabilityMiddleware(logger: logger))
        router.add(middleware: UnknownRouteMiddleware())
        router.add(middleware: TencentGateway(environment: environment))
        let operating = operatingRoutes()
        operating.registerProbes(on: router)
        if metricsOnMainPort { operating.registerMetrics(on: router) }
        RESTRoutes(environment: environment).register(on: router)
        OpenAIRoutes(environment: environment).register(on: router)
        FileRoutes(environment: environment).register(on: router)
        DeliveryRoutes(environment: environment).register(on: router)
        AdminRoutes(environment: admin).register(on: router)
        ConsoleRoutes(environment: admin, secureCookies: secureCookies).register(on: router)
        return router
    }

    /// The router of the separate metrics port: `/metrics` alone.
    public func metricsRouter() -> Router<EaselRequestContext> {
        EaselMetrics.bootstrap()
        let router = Router(context: EaselRequestContext.self)
        router.add(middleware: ObservabilityMiddleware(logger: logger))
        operatingRoutes().registerMetrics(on: router)
        return router
    }

    /// HTTP/1 with the handlers that answer malformed requests in kind and notice clients that leave.
    public static func http1() -> HTTPServerBuilder {
        .http1(configuration: .init(additionalChannelHandlers: [MalformedRequestResponder(), ClientDepartureWatcher()]))
    }

    /// The service that, told to shut down first, flips `/readyz` to 503 while the rest drains.
    public func readinessService() -> any Service {
        ReadinessService(readiness: readiness, logger: logger)
    }

    private func operatingRoutes() -> OperatingRoutes {
        OperatingRoutes(readiness: readiness, statistics: statistics,
                        gauges: StoreGauges(statistics: statistics, storeKind: storeKind),
                        authorization: metricsAuthorization)
    }
}
