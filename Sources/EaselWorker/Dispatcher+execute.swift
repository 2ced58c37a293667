import EaselCore
import EaselEngines
import EaselServices
import EaselStore
import Foundation

// A task runs in three phases, each its own function: preparing the engine job, generating (the phase a task
// spends its life in, waiting on an upstream), and concluding. An async function keeps one frame for its whole run,
// sized for everything it and the code inlined into it hold across any `await`; run as one function, the three
// phases kept a 15 KB frame alive for the whole upstream wait, for each of 10,000 tasks in flight. Split, the long
// wait holds only the small frames of `execute` and `generate`; the others exist only while they run.
extension Dispatcher {
    func execute(_ claimed: ClaimedTask) async {
        var task = claimed.task
        let lease = claimed.lease
        guard let engine = engines.engine(modelName: task.request.modelName, modelVersion: task.request.modelVersion) else {
            await finish(&task, lease: lease, error: EngineError(code: "ResourceNotFound", message: "No engine serves this model.", isRetryable: false))
            return
        }
        let ran = (provider: engine.name, since: ContinuousClock.now)
        TaskMetrics.taskClaimed(task, provider: engine.name, claimedAt: Date())
        let outcome: Result<[GeneratedImage], any Error>
        var promptSent = task.request.prompt
        do {
            let job = try await preparedJob(for: &task, lease: lease, engine: engine)
            promptSent = job.request.prompt
            outcome = .success(try await generate(job, on: engine, lease: lease))
        } catch {
            outcome = .failure(error)
        }
        await conclude(&task, lease: lease, engine: engine, ran: ran, promptSent: promptSent, outcome: outcome)
    }

    @inline(never)
    private func preparedJob(for task: inout TaskRecord, lease: TaskLease, engine: any ImageEngine) async throws -> EngineJob {
        let store = self.store
        var job = EngineJob(taskId: task.id, request: task.request,
                            outputSize: task.outputSize ?? PixelSize(width: 1024, height: 1024),
                            imageCount: max(task.request.outputImageCount ?? 1, 1),
                            resumeToken: task.run.resumeToken) { token in
            try? await store.checkpoint(lease, resumeToken: token)
        }
        job.log = { [taskId = task.id] message in await self.record([TaskLogLine(taskId: taskId, at: Date(), message: message)]) }
        job.leaseToken = lease.token
        job.request = try await prepare(job.request, for: engine, task: &task)
        if engine.needsResolvedInputs, !task.request.inputs.isEmpty {
            guard let inputs else { throw EngineError(code: "InternalError", message: "Reference images cannot be fetched.", isRetryable: false) }
            job.inputs = try await inputs.resolve(task.request.inputs, tenant: task.tenant)
        }
        return job
    }

    @inline(never)
    private func generate(_ job: EngineJob, on engine: any ImageEngine, lease: TaskLease) async throws -> [GeneratedImage] {
        let (store, completions, changeKey, leaseDuration) = (self.store, self.completions, CompletionHub.changeKey(job.taskId), settings.lease)
        return try await leases.holding(lease) {
            try await engine.generate(job) { progress in
                try? await store.heartbeat(lease, progress: min(progress, 99), leaseUntil: Date() + leaseDuration.timeInterval)
                completions.notify(changeKey)
            }
        }
    }

    // Records what the run came to: the outputs and the success, or the failure, or nothing when the store is gone
    // or the lease was lost, or a release at shutdown.
    @inline(never)
    private func conclude(_ task: inout TaskRecord, lease: TaskLease, engine: any ImageEngine,
                          ran: (provider: String, since: ContinuousClock.Instant), promptSent: String?,
                          outcome: Result<[GeneratedImage], any Error>) async {
        let logger = logger.with(taskId: task.id)
        do {
            let images = try outcome.get()
            if task.request.outputComplianceCheck != false, let checker = settings.compliance {
                try await checker.checkOutput(images, prompt: promptSent)
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
                completions.notify(CompletionHub.changeKey(task.id))
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
    func announce(_ task: TaskRecord) {
        completions.notifyFinished(task.id, tenant: task.tenant)
        deliveryWake.wake()
    }
}
