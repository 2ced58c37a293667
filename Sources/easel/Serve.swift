import ArgumentParser
import EaselCore
import EaselHTTP
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `easel serve`: runs the API server, the dispatcher, the sweeper and the webhook sender until SIGTERM/SIGINT, then
/// drains: `/readyz` turns 503 at once, in-flight tasks finish while the API still answers, the HTTP server stops last.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Easel server.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Address to bind (default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (default 8080).")
    var port: Int?

    func run() async throws {
        var configuration = try common.configuration()
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        EaselLogging.bootstrap(format: configuration.effectiveLogFormat, level: level)
        EaselMetrics.bootstrap()
        var logger = Logger(label: "easel")
        logger.logLevel = level
        try configuration.checkTLSFiles()
        let runtime = try EaselRuntime(configuration: configuration)
        try await runtime.withStore {
            try await provisionFirstApp(runtime, dataDirectory: configuration.dataDirectory)
            try await runtime.bootstrapAdminKey(configuration: configuration)
            var server = try EaselServer(configuration: configuration, runtime: runtime, logger: logger)
            server.metricsAuthorization = server.adminKeyCheck
            try await server.applyAppLimits()
            if server.engines.isSandboxOnly {
                logger.notice("no upstream configured: the built-in sandbox renderer serves every model; its images are placeholders marked as sandbox output")
            }
            var groupConfiguration = ServiceGroupConfiguration(services: try server.services(),
                                                               gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            // Draining is bounded by drain_timeout_seconds; past that (say, with the database gone) the services are
            // cancelled, and a service that still does not return stops holding the process after a few seconds more.
            groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.drainTimeoutSeconds + 5)
            groupConfiguration.maximumCancellationDuration = .seconds(5)
            try await ServiceGroup(configuration: groupConfiguration).run()
        }
    }

    // On the first start there are no keys: create a default app and print its credentials once. They are flushed
    // at once: under a process manager or with stdout redirected, buffered output would appear only at exit.
    private func provisionFirstApp(_ runtime: EaselRuntime, dataDirectory: String) async throws {
        guard try await runtime.store.allCredentials().isEmpty else { return }
        let issued = try await runtime.createCredential(tenant: Tenant(appId: 251_007_502, subAppId: 251_007_502))
        // FileHandle writes go straight to the descriptor, unlike print's buffered stdout.
        FileHandle.standardOutput.write(Data("""
            First start: created app 251007502 with these credentials (shown once; \
            `easel keys create --app-id N --data-dir \(dataDirectory)` makes more):
            \(String(decoding: issued.json.encoded(), as: UTF8.self))

            """.utf8))
    }
}
