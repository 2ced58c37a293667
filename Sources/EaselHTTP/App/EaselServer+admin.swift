import EaselCore
import EaselStore
import Foundation

extension EaselServer {
    /// The admin key check, e.g. to guard `/metrics`: `await server.adminAuthenticator.isAdmin(request)`.
    var adminAuthenticator: AdminAuthenticator {
        AdminAuthenticator(settings: runtime.store, credentials: environment.credentials, configuredKey: configuration.adminAPIKey)
    }

    /// The admin key check as `metricsAuthorization` takes it: `server.metricsAuthorization = server.adminKeyCheck`.
    public var adminKeyCheck: MetricsAuthorization {
        let authenticator = adminAuthenticator
        return { request in await authenticator.isAdmin(request) }
    }

    /// The admin routes' environment.
    var adminEnvironment: AdminEnvironment {
        AdminEnvironment(server: environment, runtime: runtime, apps: environment.tasks.appSettings,
                         authenticator: adminAuthenticator,
                         callbackPolicy: CallbackURLPolicy(allowedHosts: Set(configuration.deliveryAllowedHosts)),
                         hasBucketStorage: configuration.bucketStorage != nil, prices: configuration.usagePrices, logger: logger)
    }
}
