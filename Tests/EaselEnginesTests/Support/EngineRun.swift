@testable import EaselEngines

/// What one run of an engine against a fake produced (its images, or the error it threw), what the job reported
/// while it ran, and what the fake saw (`Seen`, read through dynamic members: `run.submits`, `run.problems`, …).
@dynamicMemberLookup
struct EngineRun<Seen: Sendable>: Sendable {
    var images: [GeneratedImage] = []
    /// The `EngineError` the engine threw.
    var error: EngineError?
    /// The type of any other error the engine threw.
    var otherError: String?
    var progress: [Int] = []
    var checkpoints: [String] = []
    /// The polls the fake had seen when each checkpoint was recorded.
    var pollsAtCheckpoint: [Int] = []
    /// What the fake saw, read once the job was over.
    var seen: Seen

    subscript<Value>(dynamicMember path: KeyPath<Seen, Value>) -> Value { seen[keyPath: path] }
}
