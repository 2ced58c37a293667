import EaselCore
import EaselStore
import Hummingbird

/// Decides whether a request may read `/metrics` when `metrics.require_admin_key` is set (the admin API's key check).
public typealias MetricsAuthorization = @Sendable (Request) async -> Bool

/// The operator's routes: `/healthz` (liveness: the process answers), `/readyz` (readiness: not draining and the
/// store answers within a second) and `/metrics` (Prometheus text format).
struct OperatingRoutes: Sendable {
    let readiness: Readiness
    let statistics: (any StoreStatistics)?
    let gauges: StoreGauges
    let authorization: MetricsAuthorization?
    var pingTimeout: Duration = .seconds(1)

    func registerProbes(on router: Router<EaselRequestContext>) {
        router.get("healthz") { _, context in
            context.facts.record(dialect: "other", action: "healthz")
            return JSONResponse.make(.object(["status": .string("ok")]))
        }
        router.get("readyz") { _, context in
            context.facts.record(dialect: "other", action: "readyz")
            return await ready()
        }
    }

    func registerMetrics(on router: Router<EaselRequestContext>) {
        router.get("metrics") { request, context in
            context.facts.record(dialect: "other", action: "metrics")
            if let authorization, await !authorization(request) {
                context.facts.record(errorCode: "Unauthorized")
                let body: JSONValue = .object([
                    "error": .object(["code": .string("Unauthorized"), "message": .string("/metrics needs the admin key as a Bearer token.")]),
                    "request_id": .string(context.facts.requestId),
                ])
                return JSONResponse.make(body, status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"])
            }
            let text = await gauges.render()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
    }

    private func ready() async -> Response {
        if readiness.isDraining { return status("draining", .serviceUnavailable) }
        guard let statistics else { return status("ready", .ok) }
        do {
            try await withDeadline(pingTimeout, timeoutError: { CancellationError() }) { try await statistics.ping() }
            // Draining may have begun while the store answered.
            return readiness.isDraining ? status("draining", .serviceUnavailable) : status("ready", .ok)
        } catch {
            return status("store_unavailable", .serviceUnavailable)
        }
    }

    private func status(_ text: String, _ status: HTTPResponse.Status) -> Response {
        JSONResponse.make(.object(["status": .string(text)]), status: status)
    }
}
