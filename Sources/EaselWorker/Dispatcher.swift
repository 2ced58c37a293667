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
    let store: any TaskStore
    let engines: EngineRegistry
    let writer: OutputWriter
    let settings: WorkerSettings
    let taskLogs: (any TaskLogStore)?
    let signal: WakeSignal
    let completions: CompletionHub
    let deliveryWake: WakeSignal
    let inputs: InputResolver?
    let logger: Logger
    let leases: LeaseKeeper
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
        self.leases = LeaseKeeper(store: store, lease: settings.lease)
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
            group.addTask { [leases] in await leases.run() }
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
}

extension Logger {
    func with(taskId: TaskID) -> Logger {
        var copy = self
        copy[metadataKey: "task.id"] = "\(taskId)"
        return copy
    }
}
