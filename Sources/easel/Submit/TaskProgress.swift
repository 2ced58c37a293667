/// Where a task stands, as the REST status route reports it.
struct TaskProgress: Sendable, Equatable {
    /// The task's phase.
    enum Phase: String, Sendable {
        case waiting, processing, completed
    }

    var phase: Phase
    /// Tasks ahead of it while waiting.
    var queuePosition: Int?
    /// 0…100.
    var progress: Int

    /// What a plain (non-terminal) display treats as a change worth a line: the phase and the queue position.
    var milestone: String { "\(phase.rawValue)/\(queuePosition.map(String.init) ?? "")" }

    /// `waiting (2 ahead)`, `processing`, `done`.
    var label: String {
        switch phase {
        case .waiting: queuePosition.map { $0 == 0 ? "waiting (next in queue)" : "waiting (\($0) ahead in queue)" } ?? "waiting"
        case .processing: "processing"
        case .completed: "done"
        }
    }
}
