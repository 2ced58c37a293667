/// Knobs of scheduling, retention and delivery; every one has the default a Tencent client expects.
public struct WorkerSettings: Sendable {
    /// Whether this node is the only one using the store (SQLite): then every task still marked running at startup was
    /// this node's and is recovered at once. With a shared store only tasks whose lease expired are.
    public var isOnlyNode = true
    /// Concurrent tasks on this node across all apps.
    public var globalConcurrency = 8
    /// How long a claim lasts without a renewal (`LeaseKeeper`) before another worker may take the task over.
    public var lease: Duration = .seconds(60)
    /// How many times a task is started before an interrupted one is failed instead of re-run.
    public var maxAttempts = 3
    /// SessionId dedup window (Tencent: 3 days).
    public var sessionDedupWindow: Duration = .seconds(3 * 86_400)
    /// How long temporary outputs are served, per dialect (VOD: 7 days, MPS: 12 hours).
    public var temporaryOutputTTL: [Dialect: Duration] = [
        .vod: .seconds(7 * 86_400), .rest: .seconds(7 * 86_400), .mps: .seconds(12 * 3_600), .openai: .seconds(86_400),
    ]
    /// How long finished task records stay queryable, per dialect (Tencent: 3 days for DescribeTaskDetail, 7 for MPS).
    public var taskRetention: [Dialect: Duration] = [
        .vod: .seconds(3 * 86_400), .rest: .seconds(3 * 86_400), .mps: .seconds(7 * 86_400), .openai: .seconds(7 * 86_400),
    ]
    /// How often the sweeper deletes expired files and records.
    public var sweepInterval: Duration = .seconds(60)
    /// How long in-flight tasks may finish after SIGTERM before they are put back in the queue.
    public var drainTimeout: Duration = .seconds(30)
    /// Per-app settings (callback and webhook URLs, buckets, limits): the store's records over the configuration.
    public var apps = AppSettingsDirectory()
    /// Whether bucket objects are publicly readable, so their plain URL is handed out instead of a presigned one.
    public var bucketLinksArePublic = false
    /// Checks prompts and outputs of tasks that ask for compliance checks (nil: no checker configured).
    public var compliance: (any ComplianceChecker)?
    /// Rewrites prompts of tasks that ask for EnhancePrompt when their engine has no switch of its own.
    public var promptEnhancer: ChatPromptEnhancer?
    /// Which callback URLs may be called.
    public var callbackPolicy = CallbackURLPolicy()
    /// When failed deliveries are retried.
    public var deliveryRetry = RetryPolicy.webhookDefault
    /// How long pull events and delivery records are kept (Tencent: 4 days).
    public var notificationRetention: Duration = .seconds(4 * 86_400)
    /// How this node names itself in task logs.
    public var nodeName = NodeName.current

    /// Defaults.
    public init() {}
}

import EaselBlobs
import EaselCore
import EaselServices
