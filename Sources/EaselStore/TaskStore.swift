import EaselCore
import Foundation

/// Durable task state: the queue the dispatcher claims from and the records the dialects describe.
///
/// Queue operations cost O(log n) at any depth: a tenant at its concurrency limit costs nothing per claim and holds
/// no other tenant back, and priority order with FIFO inside a priority is exact across tenants. Every write a
/// worker makes to a running task is fenced by the lease token of its claim (`StoreError.leaseLost` otherwise), so a
/// worker that lost its lease can never overwrite a newer owner.
public protocol TaskStore: Sendable {
    /// Persists a new waiting task and returns its queue position (how many waiting tasks run before it) and whether
    /// it can run now. With a `dedupKey` (the SessionId or an idempotency key), fails with
    /// `StoreError.duplicateSession` when the same tenant used that key after `dedupSince`; exactly one of several
    /// concurrent duplicates succeeds, and `taskId(sessionId:tenant:)` then finds its task.
    @discardableResult
    func enqueue(_ task: TaskRecord, dedupKey: String?, dedupSince: Date) async throws -> InsertedTask
    /// The id of the task that last used the dedup key `sessionId` for `tenant`, if any.
    func taskId(sessionId: String, tenant: Tenant) async throws -> TaskID?
    /// The task with `id`, if it exists and (when `tenant` is given) belongs to it.
    func task(id: TaskID, tenant: Tenant?) async throws -> TaskRecord?
    /// A tenant's tasks, newest first, optionally filtered by status, created after `since`.
    func tasks(tenant: Tenant, statuses: [TaskStatus]?, since: Date, limit: Int, offset: Int) async throws -> [TaskRecord]
    /// Atomically moves up to `limit` of the best waiting tasks to processing, each under a new lease until
    /// `leaseUntil`: highest priority first, FIFO within a priority, skipping tenants at their concurrency limit.
    /// Empty when nothing can run.
    func claim(now: Date, leaseUntil: Date, limit: Int) async throws -> [ClaimedTask]
    /// Records an engine's resume token (the upstream's task id) in a running task, durably, before it polls.
    func checkpoint(_ lease: TaskLease, resumeToken: String) async throws
    /// Extends a running task's lease and records its progress.
    func heartbeat(_ lease: TaskLease, progress: Int, leaseUntil: Date) async throws
    /// Extends the leases of many running tasks at once (a node's periodic renewal) and returns those that are no
    /// longer held: the task was taken over, finished or released. A few writes for all of them instead of one each.
    func renewLeases(_ leases: [TaskLease], until: Date) async throws -> Set<TaskLease>
    /// Stores the final state of a running task (succeeded or failed) with its outputs, the expiry of temporary blobs
    /// and its notifications, in one transaction. It completes even when the calling task is cancelled.
    func finish(_ task: TaskRecord, lease: TaskLease, outbox: [OutboxEntry]) async throws
    /// Aborts a waiting task of `tenant` (aborting an aborted one again returns it); `StoreError.notFound` or
    /// `.conflict` when it is unknown or already started.
    func abort(id: TaskID, tenant: Tenant, at: Date, outbox: @escaping @Sendable (TaskRecord) -> [OutboxEntry]) async throws -> TaskRecord
    /// Puts processing tasks whose lease ended before `expiredBefore` (their worker died) back in the queue, or fails
    /// them at `now` once they have been started `maxAttempts` times.
    func recoverExpiredLeases(expiredBefore: Date, now: Date, maxAttempts: Int,
                              outbox: @escaping @Sendable (TaskRecord) -> [OutboxEntry]) async throws -> (requeued: Int, failed: [TaskRecord])
    /// Puts a running task back in the queue at once, in its old place (its worker is shutting down). It completes
    /// even when the calling task is cancelled.
    func release(_ lease: TaskLease) async throws
    /// How many waiting tasks run before this one (0 = next).
    func queuePosition(of task: TaskRecord) async throws -> Int
    /// Sets a tenant's concurrency limit (nil: the store's default).
    func setConcurrency(_ limit: Int?, for tenant: Tenant) async throws
    /// Blob keys of temporary outputs that expired before `now`, at most `limit`.
    func expiredBlobs(before now: Date, limit: Int) async throws -> [String]
    /// Forgets expired blob keys once their bytes are deleted.
    func forgetBlobs(_ keys: [String]) async throws
    /// Forgets dedup keys used before `before` (older than the dedup window).
    func purgeSessions(before: Date) async throws
    /// Deletes terminal tasks (of `dialect`, or all) finished before `before`; returns how many.
    func purgeTasks(finishedBefore before: Date, dialect: Dialect?) async throws -> Int
}

/// App credentials: TC3/v1 key pairs and Bearer API keys.
public protocol CredentialStore: Sendable {
    /// Saves a new credential.
    func addCredential(_ credential: Credential) async throws
    /// The credential with this SecretId, revoked or not.
    func credential(secretId: String) async throws -> Credential?
    /// The credential whose API key hashes to `apiKeyHash`.
    func credential(apiKeyHash: String) async throws -> Credential?
    /// All credentials, for listing.
    func allCredentials() async throws -> [Credential]
    /// Marks a credential revoked; false if it does not exist.
    func revokeCredential(secretId: String, at: Date) async throws -> Bool
}

/// Each app's media library: permanent outputs and imported images, addressed by FileId.
public protocol MediaLibrary: Sendable {
    /// Adds a file.
    func addFile(_ file: MediaFile) async throws
    /// The file with `fileId` owned by `tenant`.
    func file(id fileId: String, tenant: Tenant) async throws -> MediaFile?
}

/// The notification outbox: VOD pull events and HTTP deliveries, written with task terminal states.
public protocol NotificationOutbox: Sendable {
    /// Up to `limit` unconfirmed events of `tenant` that are visible now; they stay invisible for `visibility`,
    /// after which unconfirmed ones can be pulled again.
    func pullEvents(tenant: Tenant, now: Date, visibility: Duration, limit: Int) async throws -> [PulledEvent]
    /// Confirms pulled events whose visibility window is still open; returns the handles that were not confirmable.
    func confirmEvents(handles: [String], tenant: Tenant, now: Date) async throws -> [String]
    /// Claims up to `limit` due pending deliveries until `leaseUntil`.
    func claimDueDeliveries(now: Date, leaseUntil: Date, limit: Int) async throws -> [Delivery]
    /// Frees deliveries claimed by a process that died mid-send, so they are sent again at once. Called at startup:
    /// a single-node store (SQLite) frees every lease, since no other sender can exist then; a store shared by
    /// several nodes (PostgreSQL) frees only leases that already ended, as the others belong to live nodes.
    func releaseDeliveryLeases() async throws
    /// Records the outcome of an attempt: delivered, rescheduled, or dead.
    func recordAttempt(_ delivery: Delivery) async throws
    /// Deliveries, newest first, optionally of one tenant and status.
    func deliveries(tenant: Tenant?, status: Delivery.Status?, limit: Int) async throws -> [Delivery]
    /// Makes a delivery pending again now (after it died or to send it again); false if unknown.
    func replayDelivery(id: String, tenant: Tenant?, now: Date) async throws -> Bool
    /// Forgets events and finished deliveries created before `before`.
    func purgeNotifications(before: Date) async throws
}

extension TaskStore {
    /// Persists a new waiting task (see `enqueue`) and returns its queue position.
    @discardableResult
    public func insert(_ task: TaskRecord, dedupKey: String?, dedupSince: Date) async throws -> Int {
        try await enqueue(task, dedupKey: dedupKey, dedupSince: dedupSince).queuePosition
    }

    /// Persists a new waiting task, deduplicated on its SessionId, and returns its queue position.
    @discardableResult
    public func insert(_ task: TaskRecord, dedupSince: Date) async throws -> Int {
        try await insert(task, dedupKey: task.sessionId, dedupSince: dedupSince)
    }
}
