/// What `TaskStore.enqueue` made of a new task.
public struct InsertedTask: Sendable, Equatable {
    /// How many waiting tasks run before it.
    public let queuePosition: Int
    /// Whether its tenant can run a task now (it has room, and this task or a better one waits), so a dispatcher
    /// has work. False when the tenant is at its limit: a claim now would find nothing of it, and the slot that a
    /// finishing task frees wakes the dispatcher instead. Not only "this task became the head": on PostgreSQL a
    /// claim that ran while this insert held the tenant's row skipped the tenant (`SKIP LOCKED`), so its older head
    /// would otherwise wait for the next tick.
    public let isRunnable: Bool
}
