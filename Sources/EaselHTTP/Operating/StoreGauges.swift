import EaselCore
import EaselStore
import Metrics
import Synchronization

/// The gauges read from the store when `/metrics` is scraped — queue depth and running tasks by priority band,
/// pending and dead deliveries, unconfirmed events per app — kept for `maximumAge` so frequent scrapes cost the
/// store one read, and each read bounded by `timeout` so a slow store never holds a scrape.
final class StoreGauges: Sendable {
    struct Figures: Sendable, Equatable {
        var waiting: [String: Int] = [:]
        var running: [String: Int] = [:]
        var pendingDeliveries = 0
        var deadDeliveries = 0
        var pendingEvents: [String: Int] = [:]
    }

    private struct State {
        var figures: Figures?
        var readAt: ContinuousClock.Instant?
        var eventApps: Set<String> = []
    }

    static let bands = ["high", "normal", "low"]

    private let statistics: (any StoreStatistics)?
    private let storeKind: String
    private let maximumAge: Duration
    private let timeout: Duration
    private let state = Mutex(State())
    // One process-wide lock: gauges are shared by every server of a process (tests run many), so a scrape applies
    // its own store's figures and renders them in one step.
    private static let renderLock = Mutex(())

    init(statistics: (any StoreStatistics)?, storeKind: String, maximumAge: Duration = .seconds(2),
         timeout: Duration = .seconds(1)) {
        self.statistics = statistics
        self.storeKind = storeKind
        self.maximumAge = maximumAge
        self.timeout = timeout
    }

    /// The band of a priority: high above 0, normal at 0, low below.
    static func band(_ priority: Int) -> String {
        priority > 0 ? "high" : priority == 0 ? "normal" : "low"
    }

    /// Refreshes the figures if they are older than `maximumAge`, applies them to the gauges and renders every metric.
    func render() async -> [UInt8] {
        let figures = await current()
        return Self.renderLock.withLock { _ in
            apply(figures)
            return EaselMetrics.render()
        }
    }

    private func current() async -> Figures? {
        let cached = state.withLock { state -> Figures?? in
            guard let readAt = state.readAt, ContinuousClock.now - readAt < maximumAge else { return nil }
            return .some(state.figures)
        }
        if let cached { return cached }
        let figures = await read()
        state.withLock {
            // A failed read keeps the last figures rather than reporting an empty queue.
            if let figures { $0.figures = figures }
            $0.readAt = ContinuousClock.now
        }
        return state.withLock { $0.figures }
    }

    private func read() async -> Figures? {
        guard let statistics else { return nil }
        return try? await withDeadline(timeout, timeoutError: { CancellationError() }) {
            let queue = try await statistics.queueStatistics()
            let outbox = try await statistics.outboxStatistics()
            var figures = Figures()
            for band in Self.bands {
                figures.waiting[band] = 0
                figures.running[band] = 0
            }
            for (priority, count) in queue.waiting { figures.waiting[Self.band(priority), default: 0] += count }
            for (priority, count) in queue.running { figures.running[Self.band(priority), default: 0] += count }
            figures.pendingDeliveries = outbox.pendingDeliveries
            figures.deadDeliveries = outbox.deadDeliveries
            for (tenant, count) in outbox.pendingEvents {
                figures.pendingEvents[ObservabilityMiddleware.text(tenant), default: 0] += count
            }
            return figures
        }
    }

    private func apply(_ figures: Figures?) {
        Gauge(label: "easel_build_info", dimensions: [("version", EaselBuild.version), ("store", storeKind)]).record(1)
        guard let figures else { return }
        for (band, count) in figures.waiting {
            Gauge(label: "easel_queue_waiting", dimensions: [("priority_band", band)]).record(count)
        }
        for (band, count) in figures.running {
            Gauge(label: "easel_tasks_running", dimensions: [("priority_band", band)]).record(count)
        }
        Gauge(label: "easel_deliveries_pending").record(figures.pendingDeliveries)
        Gauge(label: "easel_deliveries_dead").record(figures.deadDeliveries)
        // An app whose events were all confirmed drops out of the figures; its gauge goes back to 0.
        let apps = state.withLock { state -> Set<String> in
            state.eventApps.formUnion(figures.pendingEvents.keys)
            return state.eventApps
        }
        for app in apps {
            Gauge(label: "easel_pull_events_pending", dimensions: [("app", app)]).record(figures.pendingEvents[app] ?? 0)
        }
    }
}
