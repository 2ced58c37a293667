import AsyncHTTPClient
import EaselBlobs
import EaselCore
import EaselEngines
import EaselHTTP
import EaselServices
import EaselStore
import EaselWorker
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import ServiceLifecycle

/// Composes a running Easel: the HTTP application with every dialect, the dispatcher, the sweeper and the webhook
/// sender, as the services of one `ServiceGroup` (`services()`), ordered so that SIGTERM drains the work before the
/// HTTP server stops.
public struct EaselServer: Sendable {
    /// The configuration it runs with.
    public let configuration: EaselConfiguration
    /// The opened installation.
    public let runtime: EaselRuntime
    /// The engines.
    public let engines: EngineRegistry
    let environment: ServerEnvironment
    let adminEnvironment: AdminEnvironment
    let dispatcher: Dispatcher
    let sweeper: Sweeper
    let webhookSender: WebhookSender
    let signalRelay: StoreSignalRelay?
    let httpClient: HTTPClient?
    let logger: Logger
    /// HTTPS on the main port, when `server.tls_certificate` and `server.tls_key` are set.
    let tls: TLSConfiguration?
    /// Whether the node is draining; `/readyz` answers 503 once it is.
    public let readiness = Readiness()
    /// Checks the admin key on `/metrics` requests when `metrics.require_admin_key` is set (the admin API sets it).
    public var metricsAuthorization: MetricsAuthorization?

    /// Builds the server from a configuration; fails on an invalid upstream configuration.
    public init(configuration: EaselConfiguration, runtime: EaselRuntime, logger: Logger,
                environment processEnvironment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let catalog = ModelCatalog.standard
        if let certificate = configuration.server.tlsCertificate, let key = configuration.server.tlsKey {
            tls = try ServerTLS.configuration(certificatePath: certificate, keyPath: key)
        } else {
            tls = nil
        }
        let channels = try configuration.upstreams.map { try $0.channel(environment: processEnvironment) }
        for channel in channels {
            for model in channel.models where catalog.spec(name: model.name, version: model.version, dialect: .openai) == nil {
                throw ConfigurationError(description: "upstream \(channel.name): \(model.name)/\(model.version) is not a catalog model.")
            }
        }
        var settings = WorkerSettings()
        settings.globalConcurrency = configuration.scheduling.globalConcurrency
        settings.temporaryOutputTTL = configuration.outputs.temporaryOutputTTL
        settings.taskRetention = configuration.outputs.taskRetention
        settings.drainTimeout = .seconds(configuration.scheduling.drainTimeoutSeconds)
        settings.isOnlyNode = !runtime.isSharedStore
        settings.lease = .seconds(configuration.scheduling.leaseSeconds)
        settings.maxAttempts = configuration.scheduling.maxAttempts
        settings.sessionDedupWindow = .seconds(configuration.scheduling.sessionDedupWindowSeconds)
        settings.callbackPolicy = CallbackURLPolicy(allowedHosts: Set(configuration.delivery.allowedHosts))
        settings.deliveryRetry = RetryPolicy(delays: configuration.delivery.retryDelays.map { .seconds($0) })
        var uploader: S3OutputUploader?
        var httpClient: HTTPClient?
        let needsHTTP = configuration.bucketStorage != nil || !channels.isEmpty || configuration.compliance?.moderation != nil
            || configuration.promptEnhancer != nil
        if needsHTTP {
            // Pool sized from the channels' max_concurrency (per host); every running task may also fetch or upload.
            httpClient = UpstreamClientFactory.makeClient(
                channels: channels,
                minimumConnectionsPerHost: max(UpstreamClientFactory.minimumConnectionsPerHost, configuration.scheduling.globalConcurrency))
        }
        let upstreamHTTP = httpClient.map(UpstreamHTTP.live)
        let engines: EngineRegistry
        do {
            engines = try EngineRegistry.build(channels: channels,
                                               http: upstreamHTTP ?? UpstreamHTTP { _ in throw CancellationError() },
                                               sandboxLatency: .milliseconds(configuration.sandboxLatencyMilliseconds),
                                               slots: runtime.isSharedStore
                                                   ? (runtime.store as? any ChannelSlotStore).map(StoreChannelSlots.init) : nil)
            settings.compliance = try Self.complianceChecker(configuration, http: upstreamHTTP, environment: processEnvironment,
                                                             logger: logger)
        } catch {
            try? httpClient?.syncShutdown()
            throw error
        }
        settings.promptEnhancer = Self.promptEnhancer(configuration, http: upstreamHTTP, environment: processEnvironment,
                                                      logger: logger)
        if let storage = configuration.bucketStorage, let client = httpClient {
            settings.bucketLinksArePublic = storage.publicLinks ?? false
            uploader = S3OutputUploader(endpointTemplate: storage.endpoint, defaultRegion: storage.region,
                                        credentials: SigV4Credentials(accessKeyId: storage.accessKeyId,
                                                                      secretAccessKey: storage.secretAccessKey),
                                        addressingStyle: storage.addressingStyle == "path" ? .path : .virtualHosted,
                                        httpClient: client)
        }
        settings.apps = AppSettingsDirectory(store: runtime.store, configured: configuration.apps.map(\.record),
                                             defaultConcurrency: configuration.scheduling.defaultConcurrency,
                                             defaultCreateRate: configuration.scheduling.createRateLimit, logger: logger)
        let signals = TaskSignals()
        let taskSettings = TaskServiceSettings(apps: settings.apps, callbackPolicy: settings.callbackPolicy,
                                               sessionDedupWindow: settings.sessionDedupWindow)
        let tasks = TaskService(store: runtime.store, media: runtime.store, engines: engines,
                                validator: RequestValidator(catalog: catalog), settings: taskSettings, signals: signals,
                                logger: logger,
                                canUploadToBuckets: uploader != nil)
        var openAI = OpenAISettings()
        openAI.defaultModel = configuration.openAI.defaultModel
        openAI.aliases.merge(configuration.openAI.aliases) { $1 }
        openAI.waitTimeout = .seconds(configuration.openAI.waitSeconds)
        self.configuration = configuration
        self.runtime = runtime
        self.engines = engines
        self.logger = logger
        let environment = ServerEnvironment(tasks: tasks, credentials: runtime.store, blobs: runtime.blobs,
                                        urlSigner: runtime.urlSigner, publicBaseURL: configuration.effectivePublicURL,
                                        catalog: catalog, openAI: openAI,
                                        outbox: runtime.store, logger: logger,
                                        sharedRates: runtime.store as? any CreateRateCounter,
                                        streams: configuration.streams.settings, taskLogs: runtime.store)
        dispatcher = Dispatcher(store: runtime.store, media: runtime.store, blobs: runtime.blobs, engines: engines,
                                settings: settings, signals: signals, logger: logger, uploader: uploader,
                                inputs: upstreamHTTP.map {
                                    InputResolver(media: runtime.store, blobs: runtime.blobs, http: $0,
                                                  policy: CallbackURLPolicy(allowedHosts: Set(configuration.inputAllowedHosts)))
                                }, taskLogs: runtime.store)
        self.httpClient = httpClient
        self.environment = environment
        let adminEnvironment = AdminEnvironment(
            server: environment, store: runtime.store, blobs: runtime.blobs, keys: runtime.keys,
            configuredAdminKey: configuration.adminAPIKey, callbackPolicy: settings.callbackPolicy,
            hasBucketStorage: configuration.bucketStorage != nil, prices: configuration.usagePrices, logger: logger)
        self.adminEnvironment = adminEnvironment
        let renderer = DeliveryRenderer(environment: environment)
        webhookSender = WebhookSender(outbox: runtime.store, tasks: runtime.store, settings: settings, wake: signals.deliveries,
                                      secret: { [runtime] in runtime.webhookSecret(for: $0) },
                                      render: { delivery, task in renderer.body(delivery, task: task) },
                                      logger: logger)
        signalRelay = (runtime.store as? any StoreSignals).map {
            StoreSignalRelay(signals: $0, relayingTo: signals)
        }
        sweeper = Sweeper(store: runtime.store, outbox: runtime.store, blobs: runtime.blobs, settings: settings, logger: logger)
    }

    /// The HTTP side: routers, probes and metrics, readiness.
    var http: EaselRouterBuilder {
        let authorization: MetricsAuthorization? = configuration.metrics.requireAdminKey
            ? metricsAuthorization ?? { _ in false } : nil
        return EaselRouterBuilder(environment: environment, admin: adminEnvironment, readiness: readiness,
                                  statistics: runtime.store,
                                  storeKind: runtime.isSharedStore ? "postgres" : "sqlite", metricsAuthorization: authorization,
                                  metricsOnMainPort: configuration.metrics.port == nil, secureCookies: tls != nil, logger: logger)
    }

    /// The router with every dialect.
    public func router() -> Router<EaselRequestContext> { http.router() }

    /// The router of the separate metrics port: `/metrics` alone.
    public func metricsRouter() -> Router<EaselRequestContext> { http.metricsRouter() }

    /// Applies per-app limits from the configuration to the store, except where an admin set one in the store: a
    /// restart never undoes an admin's change.
    public func applyAppLimits() async throws {
        for app in configuration.apps where try await runtime.store.app(app.tenant)?.concurrency == nil {
            try await runtime.store.setConcurrency(app.concurrency, for: app.tenant)
        }
    }

    /// The HTTP application on the main port (the background services run beside it, see `services()`).
    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let http = EaselRouterBuilder.http1()
        return Application(router: router(),
                    server: try tls.map { try .tls(http, tlsConfiguration: $0) } ?? http,
                    configuration: .init(address: .hostname(configuration.server.host, port: configuration.server.port), serverName: "Easel"),
                    onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
                    logger: logger)
    }
}
