/// The in-process notices that connect a node's parts, one set per node: the dispatcher's wake (there may be work),
/// the completion hub (a task finished or changed, a tenant has new events) and the webhook sender's wake (there may
/// be deliveries). The use cases, the dispatcher, the routes and the store-signal relay share it.
public struct TaskSignals: Sendable {
    /// Wakes the dispatcher.
    public let dispatch: WakeSignal
    /// Wakes waiters of a task's completion or change, or of a tenant's events.
    public let completions: CompletionHub
    /// Wakes the webhook sender.
    public let deliveries: WakeSignal

    /// Creates a node's signals.
    public init(dispatch: WakeSignal = WakeSignal(), completions: CompletionHub = CompletionHub(),
                deliveries: WakeSignal = WakeSignal()) {
        self.dispatch = dispatch
        self.completions = completions
        self.deliveries = deliveries
    }
}
