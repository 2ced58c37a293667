import EaselCore
import Hummingbird
import Logging

/// The outermost middleware: after the handler answered, reads the request's facts, records the HTTP metrics and
/// writes one access line (`request_id`, dialect, action, app, task id, status, latency). Probes and scrapes log at
/// debug so that a load balancer polling `/readyz` does not drown the log.
struct ObservabilityMiddleware: RouterMiddleware {
    typealias Context = EaselRequestContext

    let logger: Logger

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context: context, status: Int(response.status.code), since: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, context: context, status: Int(status), since: started)
            throw error
        }
    }

    private func record(_ request: Request, context: Context, status: Int, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let facts = context.facts.snapshot
        let path = request.uri.path
        let labels = RequestLabels(path: path, status: status, facts: facts)
        HTTPMetrics.record(labels, duration: elapsed)
        let level: Logger.Level = Self.probes.contains(path) ? .debug : .info
        guard logger.logLevel <= level else { return }
        var metadata: Logger.Metadata = [
            "request_id": .string(context.facts.requestId),
            "method": .string(request.method.rawValue),
            "path": .string(String(path.prefix(200))),
            "dialect": .string(labels.dialect),
            "action": .string(labels.action),
            "status": .stringConvertible(status),
            "code": .string(labels.code),
            "latency_ms": .stringConvertible((elapsed.milliseconds * 10).rounded() / 10),
        ]
        if let app = facts.app { metadata["app"] = .string(Self.text(app)) }
        if let taskId = facts.taskId { metadata["task_id"] = .string(taskId) }
        logger.log(level: level, "request", metadata: metadata)
    }

    static let probes: Set<String> = ["/healthz", "/readyz", "/metrics"]

    /// An app as logs and metrics show it: `251007502`, or `251007502/5` for a sub-app.
    static func text(_ tenant: Tenant) -> String {
        tenant.subAppId == tenant.appId ? "\(tenant.appId)" : "\(tenant.appId)/\(tenant.subAppId)"
    }
}

extension Duration {
    /// The duration in milliseconds.
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
