import EaselCore
import EaselEngines
import EaselTestSupport
import Foundation
import Synchronization

/// An engine whose jobs wait at a gate until the test opens it, so a test can observe which tasks run at once
/// without depending on timing.
final class GatedEngine: ImageEngine {
    let name = "gated"
    let isSandbox = false
    /// Task ids of the jobs running now.
    let running = Mutex<Set<TaskID>>([])
    /// The most jobs that ran at once.
    let highWater = Mutex(0)
    private let gate = TestGate()

    func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        let count = running.withLock { $0.insert(job.taskId); return $0.count }
        highWater.withLock { $0 = max($0, count) }
        defer { _ = running.withLock { $0.remove(job.taskId) } }
        await gate.wait()
        let image = SandboxRenderer().render(prompt: "p", seed: 1, index: 0, width: 16, height: 16, format: .png)
        return Array(repeating: GeneratedImage(bytes: image.bytes, info: image.info), count: job.imageCount)
    }

    /// Lets every waiting and future job finish.
    func open() { gate.open() }

    /// Returns once all of `ids` are running at the same time; fails after `timeout`.
    func waitUntilRunning(_ ids: Set<TaskID>, timeout: Duration = .seconds(20)) async throws {
        try await waitUntil(timeout: timeout, "tasks \(ids.sorted()) all running at once") {
            running.withLock { ids.isSubset(of: $0) }
        }
    }
}
