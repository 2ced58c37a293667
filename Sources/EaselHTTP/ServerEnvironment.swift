import EaselBlobs
import EaselCore
import EaselStore
import EaselServices
import Foundation
import Logging

/// Everything the routes need, built once at startup.
public struct ServerEnvironment: Sendable {
    let tasks: TaskService
    let credentials: CredentialCache
    /// Where the images are.
    let blobs: any BlobStore
    /// The URLs that reach them.
    let links: FileLinks
    /// The per-app create rate.
    let admission: CreateAdmission
    let catalog: ModelCatalog
    let openAI: OpenAISettings
    let outbox: any NotificationOutbox
    let logger: Logger
    /// Bounds of the status streams.
    let streams: StreamSettings
    /// Open status streams per app.
    let streamLimiter: StreamLimiter
    /// Task log lines (`?logs=1`), when the store keeps them.
    let taskLogs: (any TaskLogStore)?

    /// Creates the environment.
    public init(tasks: TaskService, credentials: any CredentialStore, blobs: any BlobStore, urlSigner: URLSigner,
                publicBaseURL: String, catalog: ModelCatalog, openAI: OpenAISettings,
                outbox: any NotificationOutbox, logger: Logger,
                sharedRates: (any CreateRateCounter)? = nil, streams: StreamSettings = StreamSettings(),
                taskLogs: (any TaskLogStore)? = nil) {
        self.streams = streams
        self.streamLimiter = StreamLimiter(limit: streams.maxPerApp)
        self.taskLogs = taskLogs
        self.outbox = outbox
        self.tasks = tasks
        self.credentials = CredentialCache(store: credentials)
        self.blobs = blobs
        self.links = FileLinks(signer: urlSigner, publicBaseURL: publicBaseURL)
        self.admission = CreateAdmission(appSettings: tasks.appSettings, sharedRates: sharedRates)
        self.catalog = catalog
        self.openAI = openAI
        self.logger = logger
    }

    /// The node's completion hub (the use cases' signals).
    var completions: CompletionHub { tasks.signals.completions }

    /// The URL a client downloads an output from (see `FileLinks.url(for:)`).
    func fileURL(_ output: TaskOutput) -> String { links.url(for: output) }

    /// Tells the webhook sender to look at the outbox now.
    func wakeDeliveries() {
        tasks.signals.deliveries.wake()
    }
}
