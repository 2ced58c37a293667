import EaselBlobs
import EaselCore
import EaselEngines
import EaselStore
import Foundation
import Logging
import Synchronization
import Testing
@testable import EaselServices
@testable import EaselWorker

/// An engine that records how many jobs run at once and can be told to fail.
final class ProbeEngine: ImageEngine {
    let name = "probe"
    let isSandbox = false
    let running = Mutex(0)
    let highWater = Mutex(0)
    let failure: EngineError?
    let delay: Duration

    init(delay: Duration = .milliseconds(50), failure: EngineError? = nil) {
        self.delay = delay
        self.failure = failure
    }

    func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        let now = running.withLock { $0 += 1; return $0 }
        highWater.withLock { $0 = max($0, now) }
        defer { running.withLock { $0 -= 1 } }
        try await Task.sleep(for: delay)
        if let failure { throw failure }
        let image = SandboxRenderer().render(prompt: "p", seed: 1, index: 0, width: 16, height: 16, format: .png)
        return Array(repeating: GeneratedImage(bytes: image.bytes, info: image.info), count: job.imageCount)
    }
}

/// The dispatcher and task service together on a real SQLite store and blob directory.
struct WorkerHarness {
    let store: SQLiteStore
    let blobs: LocalDiskBlobStore
    let service: TaskService
    let dispatcher: Dispatcher

    init(engine: any ImageEngine, concurrency: Int = 1) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("easel-worker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path,
                                secrets: SecretBox(keyBytes: Array(repeating: 1, count: 32)), defaultConcurrency: concurrency)
        blobs = try LocalDiskBlobStore(root: directory.appendingPathComponent("blobs"))
        let settings = WorkerSettings()
        let signals = TaskSignals()
        let engines = EngineRegistry(fallback: engine)
        let logger = Logger(label: "test")
        service = TaskService(store: store, media: store, engines: engines, validator: RequestValidator(catalog: .standard),
                              settings: TaskServiceSettings(apps: settings.apps), signals: signals, logger: logger)
        dispatcher = Dispatcher(store: store, media: store, blobs: blobs, engines: engines, settings: settings, signals: signals,
                                logger: logger)
    }

    /// Runs `body` while the dispatcher works, then stops it.
    func withDispatcher(_ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await dispatcher.run() }
            try await body()
            group.cancelAll()
        }
    }

    func submit(_ tenant: Tenant, count: Int? = nil, storage: StorageMode = .temporary) async throws -> TaskRecord {
        var request = ImageRequest(modelName: "Kling", modelVersion: "2.1", prompt: "a fox")
        request.outputImageCount = count
        request.storageMode = storage
        return try await service.submit(Submission(tenant: tenant, dialect: .vod, request: request))
    }
}

@Suite(.timeLimit(.minutes(1))) struct DispatcherTests {
    let alice = Tenant(appId: 10, subAppId: 10)
    let bob = Tenant(appId: 20, subAppId: 20)

    @Test func runsTasksAndStoresOutputs() async throws {
        let harness = try WorkerHarness(engine: ProbeEngine())
        try await harness.withDispatcher {
            let task = try await harness.submit(alice, count: 2)
            let done = try await harness.service.waitForCompletion(id: task.id, tenant: alice, timeout: .seconds(60))
            #expect(done.status == .succeeded && done.progress == 100)
            #expect(done.outputs.count == 2)
            for output in done.outputs {
                let bytes = try #require(try await harness.blobs.get(key: output.blobKey))
                #expect(bytes.count == output.size && output.width == 16 && output.expiresAt != nil)
                // One flat file per output under a shard of the app, no directory per task.
                let parts = output.blobKey.split(separator: "/")
                #expect(parts.count == 4 && parts[0] == "outputs" && parts[1] == "10", "\(output.blobKey)")
                #expect(parts[2].count == 3 && parts[2].allSatisfy(\.isHexDigit), "\(output.blobKey)")
                #expect(parts[3] == "\(task.id)-\(output.index).\(output.fileType)", "\(output.blobKey)")
            }
            #expect(Set(done.outputs.map { $0.blobKey.split(separator: "/")[2] }).count == 1)
        }
    }

    @Test func permanentOutputsGoToTheMediaLibrary() async throws {
        let harness = try WorkerHarness(engine: ProbeEngine())
        try await harness.withDispatcher {
            let task = try await harness.submit(alice, storage: .permanent)
            let done = try await harness.service.waitForCompletion(id: task.id, tenant: alice, timeout: .seconds(60))
            let fileId = try #require(done.outputs.first?.fileId)
            #expect(try await harness.store.file(id: fileId, tenant: alice)?.sourceTaskId == task.id.rawValue)
            #expect(try await harness.store.file(id: fileId, tenant: bob) == nil)
        }
    }

    @Test func respectsPerAppConcurrency() async throws {
        let engine = GatedEngine()
        let harness = try WorkerHarness(engine: engine, concurrency: 1)
        try await harness.withDispatcher {
            let alices = [try await harness.submit(alice).id, try await harness.submit(alice).id]
            let bobs = [try await harness.submit(bob).id]
            // One app at its limit does not hold the other back: alice's first and bob's task run together …
            try await engine.waitUntilRunning([alices[0], bobs[0]])
            // … while alice's second stays queued behind her first.
            #expect(try await harness.store.task(id: alices[1], tenant: alice)?.status == .waiting)
            #expect(engine.running.withLock { $0 } == [alices[0], bobs[0]])
            engine.open()
            for (id, tenant) in [(alices[0], alice), (alices[1], alice), (bobs[0], bob)] {
                let done = try await harness.service.waitForCompletion(id: id, tenant: tenant, timeout: .seconds(20))
                #expect(done.status == .succeeded)
            }
        }
        #expect(engine.highWater.withLock { $0 } == 2)
    }

    @Test func engineErrorsFailTheTaskWithTheirCode() async throws {
        let failure = EngineError(code: "ContentModerationFailed", message: "blocked", isRetryable: false)
        let harness = try WorkerHarness(engine: ProbeEngine(failure: failure))
        try await harness.withDispatcher {
            let task = try await harness.submit(alice)
            let done = try await harness.service.waitForCompletion(id: task.id, tenant: alice, timeout: .seconds(60))
            #expect(done.status == .failed && done.errorCode == "ContentModerationFailed" && done.errorMessage == "blocked")
        }
    }

    @Test func tasksInterruptedByACrashRunAgainAfterRestart() async throws {
        let harness = try WorkerHarness(engine: ProbeEngine())
        let task = try await harness.submit(alice)
        // A worker claimed it and then the process died: the task is stuck in processing.
        _ = try await harness.store.claim(now: Date(), leaseUntil: Date() + 3600, limit: 1)
        #expect(try await harness.store.task(id: task.id, tenant: alice)?.status == .processing)
        try await harness.withDispatcher {
            let done = try await harness.service.waitForCompletion(id: task.id, tenant: alice, timeout: .seconds(60))
            #expect(done.status == .succeeded && done.attempts == 2)
        }
    }

    @Test func duplicateSessionIdIsRefused() async throws {
        let harness = try WorkerHarness(engine: ProbeEngine())
        var request = ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "x")
        request.storageMode = .temporary
        let submission = Submission(tenant: alice, dialect: .vod, request: request, sessionId: "s1")
        _ = try await harness.service.submit(submission)
        await #expect { try await harness.service.submit(submission) } throws: { ($0 as? APIError)?.code == "InvalidParameterValue.SessionId" }
        // Another app may use the same SessionId.
        _ = try await harness.service.submit(Submission(tenant: bob, dialect: .vod, request: request, sessionId: "s1"))
        let tooLong = Submission(tenant: alice, dialect: .vod, request: request, sessionId: String(repeating: "x", count: 51))
        await #expect { try await harness.service.submit(tooLong) } throws: {
            ($0 as? APIError)?.code == "InvalidParameterValue.SessionIdTooLong"
        }
    }

    @Test func idempotencyKeyReturnsTheFirstTask() async throws {
        let harness = try WorkerHarness(engine: ProbeEngine())
        let request = ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "x")
        let submission = Submission(tenant: alice, dialect: .vod, request: request, idempotencyKey: "sig:abc")
        let first = try await harness.service.submit(submission)
        #expect(try await harness.service.submit(submission).id == first.id)
        #expect(try await harness.service.submit(Submission(tenant: bob, dialect: .vod, request: request, idempotencyKey: "sig:abc")).id != first.id)
        // A SessionId takes precedence: a repeated create with one gets the dedup error.
        var withSession = submission
        withSession.sessionId = "s2"
        _ = try await harness.service.submit(withSession)
        await #expect { try await harness.service.submit(withSession) } throws: { ($0 as? APIError)?.code == "InvalidParameterValue.SessionId" }
    }

    @Test func unknownFileIdIsRefused() async throws {
        let harness = try WorkerHarness(engine: ProbeEngine())
        var request = ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "x")
        request.inputs = [InputImage(source: .file, fileId: "123")]
        await #expect { try await harness.service.submit(Submission(tenant: alice, dialect: .vod, request: request)) } throws: {
            ($0 as? APIError)?.code == "InvalidParameterValue.FileId"
        }
    }
}
