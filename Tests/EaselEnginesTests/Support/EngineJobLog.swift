import Synchronization

/// What one engine job reported while it ran: its progress values and its checkpoints, each checkpoint with the
/// number of polls (or queries) the fake had seen when it was recorded. Readable at any moment, from any task.
final class EngineJobLog: Sendable {
    /// Checkpoints in order, with the polls the fake had seen before each.
    let checkpoints = Mutex<[(id: String, pollsBefore: Int)]>([])
    /// Progress values in order.
    let progress = Mutex<[Int]>([])

    /// Records a progress value.
    func report(_ value: Int) { progress.withLock { $0.append(value) } }

    /// Records checkpoint `id`, taken when the fake had seen `polls` polls.
    func checkpoint(_ id: String, polls: Int) { checkpoints.withLock { $0.append((id, polls)) } }
}
