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
    let blobs: any BlobStore
    let urlSigner: URLSigner
    let publicBaseURL: String
    let rateLimiter: RateLimiter
    let sharedRates: (any CreateRateCounter)?
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
        self.sharedRates = sharedRates
        self.streams = streams
        self.streamLimiter = StreamLimiter(limit: streams.maxPerApp)
        self.taskLogs = taskLogs
        self.outbox = outbox
        self.tasks = tasks
        self.credentials = CredentialCache(store: credentials)
        self.blobs = blobs
        self.urlSigner = urlSigner
        self.publicBaseURL = publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL
        self.rateLimiter = RateLimiter()
        self.catalog = catalog
        self.openAI = openAI
        self.logger = logger
    }

    /// The node's completion hub (the use cases' signals).
    var completions: CompletionHub { tasks.signals.completions }

    /// The URL a client downloads an output from: Easel's own signed URL, or the bucket URL it was delivered to.
    func fileURL(_ output: TaskOutput) -> String {
        if let external = output.externalURL { return external }
        let path = "/files/\(output.blobKey)"
        let expires = output.expiresAt.map { Int64($0.timeIntervalSince1970.rounded(.up)) }
        return "\(publicBaseURL)\(path)?\(urlSigner.query(for: path, expires: expires))"
    }

    /// Tells the webhook sender to look at the outbox now.
    func wakeDeliveries() {
        tasks.signals.deliveries.wake()
    }

    /// Takes a create token for `tenant` or throws `RequestLimitExceeded`. With a shared store the count is the
    /// cluster's, in fixed windows long enough to hold one create (1 s at 20/s, 4 s at 0.25/s); otherwise a token
    /// bucket on this node.
    func admitCreate(_ tenant: Tenant) async throws(APIError) {
        let rate = await tasks.appSettings.settings(for: tenant).createRatePerSecond
        guard rate > 0 else { return }
        let admitted: Bool
        if let sharedRates {
            let window = max(1, (1 / rate).rounded(.up))
            let limit = max(1, Int((rate * window).rounded(.down)))
            let start = Int64(Date().timeIntervalSince1970 / window) * Int64(window)
            // A store that cannot count cannot take the task either; its insert reports the failure.
            admitted = ((try? await sharedRates.countCreate(tenant: tenant, windowStart: start)) ?? 0) <= limit
        } else {
            admitted = rateLimiter.admit(tenant, ratePerSecond: rate)
        }
        guard admitted else {
            throw .rateLimited("Too many task creations for this app; the limit is \(rate) per second.")
        }
    }
}

/// OpenAI dialect settings.
public struct OpenAISettings: Sendable {
    /// Model used when a request names none.
    public var defaultModel = "GG-2.5"
    /// Extra model ids, e.g. `gpt-image-1` → `OG-image2_medium`.
    public var aliases: [String: String] = ["gpt-image-1": "OG-image2_medium", "dall-e-3": "GG-2.5", "dall-e-2": "GG-2.5"]
    /// How long `/v1/images/generations` waits for the task before answering 504.
    public var waitTimeout: Duration = .seconds(300)

    /// Defaults.
    public init() {}
}
