import EaselCore
import EaselApp
import EaselStore
import EaselServices
import Foundation

/// The installation in the local data directory (or the configured PostgreSQL store), opened for one command.
struct LocalInstallation: Sendable {
    let configuration: EaselConfiguration
    let runtime: EaselRuntime

    /// Opens the installation `common` names and runs `body` with its store ready.
    static func with<T: Sendable>(_ common: CommonOptions, _ body: (LocalInstallation) async throws -> T) async throws -> T {
        let configuration = try common.configuration()
        let runtime = try EaselRuntime(configuration: configuration)
        return try await runtime.withStore { try await body(LocalInstallation(configuration: configuration, runtime: runtime)) }
    }

    var store: any EaselStorage { runtime.store }

    /// A signed URL for an output, as the server at `server.public_url` hands it out.
    func fileURL(_ output: TaskOutput) -> String {
        FileLinks(signer: runtime.urlSigner, publicBaseURL: configuration.effectivePublicURL).url(for: output)
    }

    /// The task with id `text`, of any app, or `NotFound`.
    func task(_ text: String) async throws -> TaskRecord {
        guard let task = try await store.task(id: TaskID(rawValue: text), tenant: nil) else {
            throw CLIError.failed("NotFound: no task has id \(text).")
        }
        return task
    }

    /// What an aborted task notifies (events, webhooks), with the apps' settings merged as the server merges them:
    /// the store's records over the configuration file's `apps` entries.
    func outboxPlan() async -> @Sendable (TaskRecord) -> [OutboxEntry] {
        await AppSettingsDirectory(store: store, configured: configuration.apps.map(\.record)).outboxPlan()
    }
}
