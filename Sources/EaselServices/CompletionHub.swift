import EaselCore
import Foundation
import Synchronization

/// Lets a request wait for a task to reach a terminal state (the OpenAI dialect answers synchronously) without
/// polling the database in a tight loop: the worker notifies the hub when it finishes a task.
public final class CompletionHub: Sendable {
    private let waiters = Mutex<[String: [UUID: CheckedContinuation<Void, Never>]]>([:])

    /// Creates a hub.
    public init() {}

    /// The key notified when `tenant` may have new pull events.
    public static func eventsKey(_ tenant: Tenant) -> String { "events:\(tenant)" }

    /// The key notified whenever task `taskId` may have changed: claimed, progress, released, finished.
    public static func changeKey(_ taskId: TaskID) -> String { "change:\(taskId)" }

    /// Wakes the waiters of a task that reached a terminal state: its completion, its changes, its tenant's events.
    public func notifyFinished(_ taskId: TaskID, tenant: Tenant) {
        notify(taskId.rawValue)
        notify(Self.changeKey(taskId))
        notify(Self.eventsKey(tenant))
    }

    /// Wakes everyone waiting for the completion of `taskId`.
    public func notify(_ taskId: TaskID) {
        notify(taskId.rawValue)
    }

    /// Returns when the completion of `taskId` is notified or `timeout` passes.
    public func wait(for taskId: TaskID, timeout: Duration) async {
        await wait(for: taskId.rawValue, timeout: timeout)
    }

    /// Wakes everyone waiting for `key` (a task id, `changeKey`, `eventsKey`).
    public func notify(_ taskId: String) {
        let continuations = waiters.withLock { $0.removeValue(forKey: taskId) }
        continuations?.values.forEach { $0.resume() }
    }

    /// Returns when `taskId` is notified or `timeout` passes, whichever is first. Callers re-read the task after.
    public func wait(for taskId: String, timeout: Duration) async {
        let token = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        self.register(continuation, taskId: taskId, token: token)
                    }
                } onCancel: {
                    self.release(taskId: taskId, token: token)
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func register(_ continuation: CheckedContinuation<Void, Never>, taskId: String, token: UUID) {
        let resumeNow = waiters.withLock { waiters -> Bool in
            // Cancellation is flagged before its handler runs, so checking it under the lock closes the race
            // between registering and being cancelled.
            if Task.isCancelled { return true }
            waiters[taskId, default: [:]][token] = continuation
            return false
        }
        if resumeNow { continuation.resume() }
    }

    private func release(taskId: String, token: UUID) {
        let continuation = waiters.withLock { waiters -> CheckedContinuation<Void, Never>? in
            let continuation = waiters[taskId]?.removeValue(forKey: token)
            if waiters[taskId]?.isEmpty == true { waiters[taskId] = nil }
            return continuation
        }
        continuation?.resume()
    }
}
