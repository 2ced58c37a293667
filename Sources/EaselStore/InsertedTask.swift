/// What `TaskStore.enqueue` made of a new task.
public struct InsertedTask: Sendable, Equatable {
    /// How many waiting tasks run before it.
    public let queuePosition: Int
    /// Whether it became its tenant's next task with room to run, so a dispatcher has work now. False when its
    /// tenant is at its limit or has a better task waiting: then a freed slot, or the wake-up for that better task,
    /// brings the dispatcher, and a claim now would find nothing.
    public let isRunnable: Bool
}
