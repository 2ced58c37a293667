import EaselCore
import EaselHTTP
import Foundation
import Logging
import ServiceLifecycle

/// A node, built by `buildApplication(configuration:)`: its configuration and opened installation. `run()` connects
/// the store (running migrations), provisions a first app and the admin key on a new installation, wires the server
/// (`EaselServer`) and runs its services until SIGTERM/SIGINT, then drains: `/readyz` turns 503 at once, in-flight
/// tasks finish while the API still answers, the HTTP server stops last.
public struct EaselApplication: Sendable {
    /// The configuration it runs with.
    public let configuration: EaselConfiguration
    /// The opened installation (store, blobs, keys).
    public let runtime: EaselRuntime
    /// The node's logger.
    public let logger: Logger

    /// Installs the process-wide logging and metrics backends the configuration asks for; call once, first.
    public static func bootstrapProcess(_ configuration: EaselConfiguration) {
        EaselLogging.bootstrap(format: configuration.logging.effectiveFormat, level: configuration.logging.loggerLevel)
        EaselMetrics.bootstrap()
    }

    /// Runs the node until it is told to stop.
    public func run() async throws {
        try await runtime.withStore {
            try await provisionFirstApp()
            try await runtime.bootstrapAdminKey(configuration: configuration)
            var server = try makeServer()
            server.metricsAuthorization = server.adminKeyCheck
            try await server.applyAppLimits()
            if server.engines.isSandboxOnly {
                logger.notice("no upstream configured: the built-in sandbox renderer serves every model; its images are placeholders marked as sandbox output")
            }
            var groupConfiguration = ServiceGroupConfiguration(services: try server.services(),
                                                               gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            // Draining is bounded by drain_timeout_seconds; past that (say, with the database gone) the services are
            // cancelled, and a service that still does not return stops holding the process after a few seconds more.
            groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.scheduling.drainTimeoutSeconds + 5)
            groupConfiguration.maximumCancellationDuration = .seconds(5)
            try await ServiceGroup(configuration: groupConfiguration).run()
        }
    }

    /// Wires the node's parts on the opened installation, without I/O: engines and the upstream HTTP client, the use
    /// cases, the worker services and the HTTP routes (see `EaselServer`). Fails on an invalid upstream configuration.
    public func makeServer() throws -> EaselServer {
        try EaselServer(configuration: configuration, runtime: runtime, logger: logger)
    }

    // On the first start there are no keys: create a default app and print its credentials once. They are flushed
    // at once: under a process manager or with stdout redirected, buffered output would appear only at exit.
    private func provisionFirstApp() async throws {
        guard try await runtime.store.allCredentials().isEmpty else { return }
        let issued = try await runtime.createCredential(tenant: Tenant(appId: 251_007_502, subAppId: 251_007_502))
        // FileHandle writes go straight to the descriptor, unlike print's buffered stdout.
        FileHandle.standardOutput.write(Data("""
            First start: created app 251007502 with these credentials (shown once; \
            `easel keys create --app-id N --data-dir \(configuration.dataDirectory)` makes more):
            \(String(decoding: issued.json.encoded(), as: UTF8.self))

            """.utf8))
    }
}

/// Builds a node from its configuration: checks the TLS files before anything is written, then opens (creating if
/// needed) the installation in the data directory. The store is connected, and everything else wired, by `run()`
/// (or `makeServer()`). `logger` defaults to one labelled `easel` at the configured `log_level`.
public func buildApplication(configuration: EaselConfiguration, logger: Logger? = nil) throws -> EaselApplication {
    try configuration.checkTLSFiles()
    let logger = logger ?? {
        var logger = Logger(label: "easel")
        logger.logLevel = configuration.logging.loggerLevel
        return logger
    }()
    return EaselApplication(configuration: configuration, runtime: try EaselRuntime(configuration: configuration), logger: logger)
}
