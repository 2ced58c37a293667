import EaselBlobs
import EaselCore
import EaselEngines
import EaselServices
import EaselStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs queued tasks: claims the best runnable task whenever it is woken and a slot is free, runs it on its
/// engine, stores the outputs and records the terminal state. One loop decides; each task runs as a child of a
/// task group, so shutdown waits for them and nothing escapes.
public final class Dispatcher: Service {
    private let store: any TaskStore
    private let engines: EngineRegistry
    private let writer: OutputWriter
    let settings: WorkerSettings
    let taskLogs: (any TaskLogStore)?
    private let signal: WakeSignal
    private let completions: CompletionHub
    private let deliveryWake: WakeSignal
    private let inputs: InputResolver?
    let logger: Logger
    private let running = Mutex(0)

    /// Creates the dispatcher.
    public init(store: any TaskStore, media: any MediaLibrary, blobs: any BlobStore, engines: EngineRegistry,
                settings: WorkerSettings, signals: TaskSignals, logger: Logger, uploader: (any OutputBucketUploader)? = nil,
                inputs: InputResolver? = nil, taskLogs: (any TaskLogStore)? = nil) {
        self.taskLogs = taskLogs
        self.deliveryWake = signals.deliveries
        self.inputs = inputs
        self.store = store
        self.engines = engines
        self.writer = OutputWriter(blobs: blobs, media: media, settings: settings, uploader: uploader)
        self.settings = settings
        self.signal = signals.dispatch
        self.completions = signals.completions
        self.logger = logger
    }

    /// Re-queues (or fails) tasks that were running when the previous process died. With one node, every
    /// processing task is orphaned at startup, whatever its lease says; with a shared store only expired leases are,
    /// so a node starting up never takes a live node's work.
    public func recoverAtStartup() async throws {
        let now = Date()
        try await recover(expiredBefore: settings.isOnlyNode ? .distantFuture : now, now: now)
    }

    private func recover(expiredBefore: Date, now: Date) async throws {
        let recovered = try await store.recoverExpiredLeases(expiredBefore: expiredBefore, now: now,
                                                             maxAttempts: settings.maxAttempts, outbox: await settings.apps.outboxPlan())
        for task in recovered.failed {
            TaskMetrics.taskFinished(task, outcome: .failed)
            announce(task)
        }
        if recovered.requeued > 0 || !recovered.failed.isEmpty {
            logger.notice("recovered interrupted tasks", metadata: ["requeued": "\(recovered.requeued)",
                                                                     "failed": "\(recovered.failed.count)"])
        }
    }

    public func run() async throws {
        try await recoverAtStartup()
        await withDiscardingTaskGroup { group in
            group.addTask { [signal] in
                // A slow tick picks up leases that expired and work queued by other processes.
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    signal.wake()
                }
            }
            signal.wake()
            var ticks = 0
            for await _ in signal.wakes.cancelOnGracefulShutdown() {
                ticks += 1
                if ticks % 10 == 0 { try? await recover(expiredBefore: Date(), now: Date()) }
                await fillSlots(group: &group)
            }
            await drain()
            group.cancelAll()
        }
    }

    // After SIGTERM: no new claims; in-flight tasks get `drainTimeout` to finish, then are cancelled and released.
    private func drain() async {
        let deadline = ContinuousClock.now + settings.drainTimeout
        while running.withLock({ $0 }) > 0, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
        }
        let left = running.withLock { $0 }
        if left > 0 { logger.notice("shutdown: releasing unfinished tasks back to the queue", metadata: ["count": "\(left)"]) }
    }

    // Claims in batches of up to `claimBatch` while slots are free; one claim transaction serves many tasks.
    private func fillSlots(group: inout DiscardingTaskGroup) async {
        while true {
            let free = settings.globalConcurrency - running.withLock { $0 }
            guard free > 0 else { return }
            let now = Date()
            let claimed: [ClaimedTask]
            do {
                claimed = try await store.claim(now: now, leaseUntil: now + settings.lease.timeInterval,
                                                limit: min(free, Self.claimBatch))
            } catch {
                logger.error("claim failed", metadata: ["error": "\(error)"])
                return
            }
            if claimed.isEmpty { return }
            running.withLock { $0 += claimed.count }
            let lines = claimed.map { claimLine($0, at: now) }
            group.addTask { await self.record(lines) }
            for task in claimed {
                completions.notify(CompletionHub.changeKey(task.task.id))
                group.addTask {
                    await self.execute(task)
                    self.running.withLock { $0 -= 1 }
                    self.signal.wake()
                }
            }
        }
    }

    static let claimBatch = 64

    private func execute(_ claimed: ClaimedTask) async {
        var task = claimed.task
        let lease = claimed.lease
        let logger = logger.with(taskId: task.id)
        guard let engine = engines.engine(modelName: task.request.modelName, modelVersion: task.request.modelVersion) else {
            await finish(&task, lease: lease, error: EngineError(code: "ResourceNotFound", message: "No engine serves this model.", isRetryable: false))
            return
        }
        let ran = (provider: engine.name, since: ContinuousClock.now)
        TaskMetrics.taskClaimed(task, provider: engine.name, claimedAt: Date())
        let (store, completions, changeKey) = (self.store, self.completions, CompletionHub.changeKey(task.id))
        var job = EngineJob(taskId: task.id, request: task.request,
                            outputSize: task.outputSize ?? PixelSize(width: 1024, height: 1024),
                            imageCount: max(task.request.outputImageCount ?? 1, 1),
                            resumeToken: task.run.resumeToken) { token in
            try? await store.checkpoint(lease, resumeToken: token)
        }
        job.log = { [taskId = task.id] message in await self.record([TaskLogLine(taskId: taskId, at: Date(), message: message)]) }
        job.leaseToken = lease.token
        let leaseDuration = settings.lease
        do {
            job.request = try await prepare(job.request, for: engine, task: &task)
            if engine.needsResolvedInputs, !task.request.inputs.isEmpty {
                guard let inputs else { throw EngineError(code: "InternalError", message: "Reference images cannot be fetched.", isRetryable: false) }
                job.inputs = try await inputs.resolve(task.request.inputs, tenant: task.tenant)
            }
            let images = try await withHeartbeat(lease) { [job] in
                try await engine.generate(job) { progress in
                    try? await store.heartbeat(lease, progress: min(progress, 99), leaseUntil: Date() + leaseDuration.timeInterval)
                    completions.notify(changeKey)
                }
            }
            if task.request.outputComplianceCheck != false, let checker = settings.compliance {
                try await checker.checkOutput(images, prompt: job.request.prompt)
            }
            let finishedAt = Date()
            task.outputs = try await writer.store(images, of: task, finishedAt: finishedAt)
            task.run.engine = engine.name
            if engine.isSandbox { task.run.isSandbox = true }
            task.status = .succeeded
            task.progress = 100
            task.finishedAt = finishedAt
            try await store.finish(task, lease: lease, outbox: await settings.apps.outbox(for: task))
            TaskMetrics.taskFinished(task, outcome: .succeeded)
            TaskMetrics.taskRan(task, provider: ran.provider, duration: ContinuousClock.now - ran.since)
            TaskMetrics.imagesProduced(task, count: task.outputs.count)
            announce(task)
            logger.info("task finished", metadata: ["images": "\(images.count)", "engine": "\(engine.name)"])
        } catch let error as EngineError {
            logger.warning("engine failed", metadata: ["error": "\(error)"])
            await finish(&task, lease: lease, error: error, ran: ran)
        } catch let error as StoreError where error == .leaseLost {
            // Another worker owns the task now (this one was presumed dead); its result is the one that counts.
            logger.warning("lease lost: the task was taken over, this run stopped and its result was discarded")
        } catch let error as StoreError {
            // The store could not be reached (say, to record the result). Recording a failure would need the same
            // store and would turn a passing outage into a failed task: the lease expires instead and the task runs
            // again, up to max_attempts starts.
            logger.error("store unavailable: the task runs again once its lease expires", metadata: ["error": "\(error)"])
        } catch is CancellationError {
            // Shutdown: the task goes back to the queue and runs again after the restart.
            do {
                try await store.release(lease)
                completions.notify(changeKey)
                logger.notice("task interrupted by shutdown and released")
            } catch {
                logger.warning("could not release an interrupted task; it runs again when its lease expires",
                               metadata: ["error": "\(error)"])
            }
        } catch {
            logger.error("task failed", metadata: ["error": "\(String(reflecting: error))"])
            await finish(&task, lease: lease, error: EngineError(code: "InternalError", message: "The task failed because of an internal error.",
                                                                 isRetryable: false), ran: ran)
        }
    }

    // `ran`: the engine and start of the run, for the run-time histogram (nil when no engine ran).
    private func finish(_ task: inout TaskRecord, lease: TaskLease, error: EngineError,
                        ran: (provider: String, since: ContinuousClock.Instant)? = nil) async {
        task.status = .failed
        task.progress = 100
        task.finishedAt = Date()
        task.errorCode = error.code
        task.errorMessage = error.message
        do {
            try await store.finish(task, lease: lease, outbox: await settings.apps.outbox(for: task))
        } catch {
            logger.error("could not record failure", metadata: ["task": "\(task.id)", "error": "\(error)"])
            return
        }
        TaskMetrics.taskFinished(task, outcome: .failed)
        if let ran { TaskMetrics.taskRan(task, provider: ran.provider, duration: ContinuousClock.now - ran.since) }
        announce(task)
    }

    // Input compliance, then prompt enhancement where the engine has no switch of its own; the prompt actually sent
    // is recorded with the task.
    private func prepare(_ request: ImageRequest, for engine: any ImageEngine, task: inout TaskRecord) async throws -> ImageRequest {
        var request = request
        if request.inputComplianceCheck != false, let checker = settings.compliance {
            try await checker.checkInput(prompt: request.prompt, negativePrompt: request.negativePrompt)
        }
        if request.enhancePrompt == true, !engine.enhancesPromptNatively, let enhancer = settings.promptEnhancer,
           let prompt = request.prompt {
            let enhancement = try await enhancer.enhancement(prompt: prompt, request: request)
            request.prompt = enhancement.prompt
            if let reason = enhancement.fallbackReason { task.run.promptEnhancement = "skipped: \(reason)" }
        }
        if let prompt = request.prompt, prompt != task.request.prompt { task.run.promptSent = prompt }
        return request
    }

    // Wakes synchronous waiters, PullEvents long-polls and the webhook sender.
    private func announce(_ task: TaskRecord) {
        completions.notifyFinished(task.id, tenant: task.tenant)
        deliveryWake.wake()
    }

    // Keeps the lease of a long-running task alive while `body` runs; when the store says the lease was lost, the
    // job is cancelled and `StoreError.leaseLost` is thrown.
    private func withHeartbeat<T: Sendable>(_ lease: TaskLease, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let store = self.store
        let duration = settings.lease
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: duration / 3)
                    do {
                        try await store.heartbeat(lease, progress: 0, leaseUntil: Date() + duration.timeInterval)
                    } catch let error as StoreError where error == .leaseLost {
                        throw error
                    } catch {
                        // A failed heartbeat is retried on the next beat; the lease has two more beats of slack.
                        continue
                    }
                }
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let value = result { return value }
            }
            throw CancellationError()
        }
    }
}

extension Logger {
    func with(taskId: TaskID) -> Logger {
        var copy = self
        copy[metadataKey: "task.id"] = "\(taskId)"
        return copy
    }
}
