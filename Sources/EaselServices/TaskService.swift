import EaselCore
import EaselEngines
import EaselStore
import Foundation
import Logging

/// The application's use cases, shared by every dialect: submit, describe, list, abort and wait. It validates,
/// persists before answering, and wakes the dispatcher; errors come out as `APIError`s for the dialect to render.
public struct TaskService: Sendable {
    let store: any TaskStore
    let media: any MediaLibrary
    let engines: EngineRegistry
    let validator: RequestValidator
    let settings: TaskServiceSettings
    /// The node's signals, which the service wakes on every create and abort.
    public let signals: TaskSignals
    let canUploadToBuckets: Bool
    let logger: Logger

    /// Creates the service.
    public init(store: any TaskStore, media: any MediaLibrary, engines: EngineRegistry, validator: RequestValidator,
                settings: TaskServiceSettings, signals: TaskSignals, logger: Logger, canUploadToBuckets: Bool = false) {
        self.signals = signals
        self.canUploadToBuckets = canUploadToBuckets
        self.store = store
        self.media = media
        self.engines = engines
        self.validator = validator
        self.settings = settings
        self.logger = logger
    }

    /// Validates and durably queues a task; the returned record is committed. A retry with the same
    /// `idempotencyKey` (and no SessionId) returns the task the first request created.
    public func submit(_ submission: Submission, now: Date = Date()) async throws(APIError) -> TaskRecord {
        try await enqueue(submission, now: now).task
    }

    /// `submit`, also answering the task's queue position at creation, counted in the same transaction.
    public func enqueue(_ submission: Submission, now: Date = Date()) async throws(APIError) -> (task: TaskRecord, queuePosition: Int) {
        if let sessionId = submission.sessionId, sessionId.count > 50 {
            throw APIError("InvalidParameterValue.SessionIdTooLong",
                           "SessionId is \(sessionId.count) characters long; at most 50 are allowed.")
        }
        if let context = submission.sessionContext, context.count > 1000 {
            throw APIError("InvalidParameterValue.SessionContextTooLong",
                           "SessionContext is \(context.count) characters long; at most 1000 are allowed.")
        }
        guard (-10...10).contains(submission.priority) else {
            throw .invalidValue("TasksPriority must be between -10 and 10, got \(submission.priority).")
        }
        if let callback = submission.callbackURL, !callback.isEmpty {
            try settings.callbackPolicy.validate(callback, field: [.openai, .rest].contains(submission.dialect) ? "callback_url" : "CallbackUrl")
        }
        let validated = try validator.validate(submission.request, dialect: submission.dialect)
        let request = validated.request
        if request.storeCos != nil && !canUploadToBuckets {
            throw .invalidValue("StoreCosParam needs bucket storage, which is not configured on this server (see `bucket_storage`).")
        }
        guard let engine = engines.engine(modelName: request.modelName, modelVersion: request.modelVersion) else {
            throw .invalidValue("Model \(request.modelName) \(request.modelVersion) has no upstream configured on this server.")
        }
        if let reason = engine.unsupportedReason(for: request) { throw .invalidValue(reason) }
        for input in request.inputs where input.source == .file {
            let fileId = input.fileId ?? ""
            let file = try await call { try await media.file(id: fileId, tenant: submission.tenant) }
            if file == nil { throw APIError("InvalidParameterValue.FileId", "The file `\(fileId)` does not exist.") }
        }
        var task = TaskRecord(id: TaskID.make(for: submission.dialect, tenant: submission.tenant), tenant: submission.tenant,
                              dialect: submission.dialect, request: request, priority: submission.priority,
                              sessionId: submission.sessionId.flatMap { $0.isEmpty ? nil : $0 },
                              sessionContext: submission.sessionContext, createdAt: now,
                              callbackURL: submission.callbackURL.flatMap { $0.isEmpty ? nil : $0 },
                              keyId: submission.keyId)
        task.outputSize = validated.outputSize
        let record = task
        let dedupKey = record.sessionId ?? submission.idempotencyKey
        let inserted: InsertedTask
        do {
            inserted = try await store.enqueue(record, dedupKey: dedupKey, dedupSince: now - settings.sessionDedupWindow.timeInterval)
        } catch let error as StoreError where error == .duplicateSession {
            if record.sessionId == nil, let key = dedupKey, let first = try await self.task(sessionId: key, tenant: submission.tenant) {
                return (first, await queuePosition(of: first))
            }
            throw APIError("InvalidParameterValue.SessionId",
                           "SessionId `\(record.sessionId ?? "")` was already used within the last \(Self.days(settings.sessionDedupWindow)); the request was dropped as a duplicate.")
        } catch {
            throw internalError(error)
        }
        TaskMetrics.taskCreated(record)
        // A task of a tenant at its limit is left to the wake-up that frees a slot: waking the dispatcher for each
        // create behind a saturated tenant cost a claim transaction per create that found nothing.
        if inserted.isRunnable { signals.dispatch.wake() }
        return (record, inserted.queuePosition)
    }

    /// The tenant's task, or `ResourceNotFound`.
    public func task(id: TaskID, tenant: Tenant) async throws(APIError) -> TaskRecord {
        guard let task = try await call({ try await store.task(id: id, tenant: tenant) }) else { throw .taskNotFound(id) }
        return task
    }

    /// The task a tenant created with `sessionId`, if it still exists.
    public func task(sessionId: String, tenant: Tenant) async throws(APIError) -> TaskRecord? {
        guard let id = try await call({ try await store.taskId(sessionId: sessionId, tenant: tenant) }) else { return nil }
        return try await call { try await store.task(id: id, tenant: tenant) }
    }

    /// A tenant's recent tasks.
    public func tasks(tenant: Tenant, statuses: [TaskStatus]?, since: Date, limit: Int, offset: Int) async throws(APIError) -> [TaskRecord] {
        try await call { try await store.tasks(tenant: tenant, statuses: statuses, since: since, limit: limit, offset: offset) }
    }

    /// Aborts a waiting task.
    public func abort(id: TaskID, tenant: Tenant) async throws(APIError) -> TaskRecord {
        do {
            let task = try await store.abort(id: id, tenant: tenant, at: Date(), outbox: await settings.apps.outboxPlan())
            TaskMetrics.taskFinished(task, outcome: .aborted)
            signals.completions.notifyFinished(id, tenant: tenant)
            signals.deliveries.wake()
            return task
        } catch let error as StoreError where error == .notFound {
            throw .taskNotFound(id)
        } catch let error as StoreError where error == .conflict {
            throw APIError("FailedOperation", "Only waiting tasks can be aborted; task `\(id)` has already started or finished.")
        } catch {
            throw internalError(error)
        }
    }

    /// How many tasks run before this waiting one.
    public func queuePosition(of task: TaskRecord) async -> Int {
        (try? await store.queuePosition(of: task)) ?? 0
    }

    /// Waits up to `timeout` for the task to finish and returns its latest state.
    public func waitForCompletion(id: TaskID, tenant: Tenant, timeout: Duration) async throws(APIError) -> TaskRecord {
        let deadline = ContinuousClock.now + timeout
        var task = try await self.task(id: id, tenant: tenant)
        while !task.status.isTerminal, ContinuousClock.now < deadline {
            // Re-read at least every second: a notification sent between the read and the wait is never lost for long.
            await signals.completions.wait(for: id, timeout: min(deadline - ContinuousClock.now, .seconds(1)))
            task = try await self.task(id: id, tenant: tenant)
        }
        return task
    }

    private static func days(_ window: Duration) -> String {
        let hours = Int(window.components.seconds / 3600)
        if hours % 24 == 0 { return hours == 24 ? "day" : "\(hours / 24) days" }
        return hours == 1 ? "hour" : "\(hours) hours"
    }

    private func call<T>(_ body: () async throws -> T) async throws(APIError) -> T {
        do {
            return try await body()
        } catch {
            throw internalError(error)
        }
    }

    private func internalError(_ error: any Error) -> APIError {
        logger.error("store failure", metadata: ["error": "\(String(reflecting: error))"])
        return .internalError
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    public var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
