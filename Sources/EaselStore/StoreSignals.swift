import EaselCore

/// What one node tells the others through a shared store, so they act at once instead of at their next poll.
public enum StoreSignal: Sendable, Equatable {
    /// Tasks became waiting (created, released or recovered): dispatchers should look for work.
    case queued
    /// A task reached a terminal state: its waiters, its tenant's PullEvents long-polls and the webhook sender care.
    case finished(taskId: TaskID, tenant: Tenant)
}

/// A store shared by several nodes that can push `StoreSignal`s (PostgreSQL's LISTEN/NOTIFY). Signals are
/// best-effort and sent at commit: every consumer still polls, so a lost signal only delays work until the next poll.
public protocol StoreSignals: Sendable {
    /// Delivers signals to `handler` until the calling task is cancelled, reconnecting after failures.
    func listen(_ handler: @escaping @Sendable (StoreSignal) -> Void) async
}
