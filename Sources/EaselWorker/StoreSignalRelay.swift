import EaselServices
import EaselStore
import ServiceLifecycle

/// Turns signals from other nodes sharing the store into local wake-ups: queued work wakes the dispatcher, a finished
/// task wakes its synchronous waiters, its tenant's PullEvents long-polls and the webhook sender. Polling stays the
/// fallback everywhere, so a missed signal costs at most a poll interval.
public struct StoreSignalRelay: Service {
    let signals: any StoreSignals
    let dispatcherWake: WakeSignal
    let completions: CompletionHub
    let deliveryWake: WakeSignal

    /// Creates the relay.
    public init(signals: any StoreSignals, relayingTo local: TaskSignals) {
        self.signals = signals
        self.dispatcherWake = local.dispatch
        self.completions = local.completions
        self.deliveryWake = local.deliveries
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await signals.listen { [dispatcherWake, completions, deliveryWake] signal in
                switch signal {
                case .queued:
                    dispatcherWake.wake()
                case .finished(let taskId, let tenant):
                    completions.notifyFinished(taskId, tenant: tenant)
                    deliveryWake.wake()
                }
            }
        }
    }
}
