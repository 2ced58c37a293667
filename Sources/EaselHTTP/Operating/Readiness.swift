import Logging
import ServiceLifecycle
import Synchronization

/// Whether this node takes new work: `/readyz` answers 503 once draining begins, so a load balancer stops sending
/// requests while the dispatcher finishes the tasks in flight and the HTTP server goes on answering queries.
public final class Readiness: Sendable {
    private let draining = Atomic(false)

    /// Creates the state of a node that is not draining.
    public init() {}

    /// Whether the node is shutting down.
    public var isDraining: Bool { draining.load(ordering: .acquiring) }

    /// Marks the node as shutting down; it never becomes ready again.
    public func beginDraining() {
        draining.store(true, ordering: .releasing)
    }
}

/// The last service of the group, so the first one told to shut down: it flips readiness to draining at once and
/// returns, and the services before it (the dispatcher first, the HTTP server last) stop in turn.
struct ReadinessService: Service {
    let readiness: Readiness
    let logger: Logger

    func run() async throws {
        // Cancellation ends the wait too; either way the node drains from now on.
        try? await gracefulShutdown()
        readiness.beginDraining()
        logger.notice("shutting down: /readyz answers 503 while in-flight tasks drain; the API keeps serving until they have")
    }
}
