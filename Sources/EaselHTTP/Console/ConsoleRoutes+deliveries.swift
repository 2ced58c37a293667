import EaselCore
import EaselStore
import Foundation
import Hummingbird

extension ConsoleRoutes {
    /// `GET /console/deliveries[?status=dead]`: webhook and callback deliveries, dead letters with a replay button.
    func deliveries(_ request: Request, _ signed: ConsoleSigned) async throws(AdminError) -> Response {
        let status = request.uri.queryParameters.get("status").flatMap { $0.isEmpty ? nil : $0 }
        var query: [(String, String)] = status.map { [("status", $0)] } ?? []
        if let tenant = signed.tenant { query.append(("app_id", String(tenant.appId))) }
        let reply = try await admin.listDeliveries(Self.adminRequest("/console/deliveries", query: query))
        let rows = (ConsolePages.object(reply.body)["deliveries"] as? [[String: Any]] ?? []).filter { row in
            signed.sees(Tenant(appId: row["app_id"] as? Int64 ?? -1, subAppId: row["sub_app_id"] as? Int64 ?? -1))
        }.map { row in
            var row = row
            row["is_dead"] = (row["status"] as? String) == Delivery.Status.dead.rawValue
            if let created = row["created_at"] as? String { row["created_at_shown"] = ConsoleViews.shown(created) }
            return row
        }
        var values: [String: Any] = ["deliveries": rows, "empty": rows.isEmpty, "title": "Deliveries", "nav_deliveries": true]
        if let status { values["status_\(status)"] = true }
        return page("deliveries", values, signed: signed)
    }

    /// `POST /console/deliveries/{id}/replay`: sends a dead (or delivered) delivery again.
    func replay(_ context: EaselRequestContext, _ signed: ConsoleSigned) async throws(AdminError) -> Response {
        let id = try AdminPathParameters(context).identifier("id")
        let store = environment.store
        let replayed = try await environment.call { try await store.replayDelivery(id: id, tenant: signed.tenant, now: Date()) }
        guard replayed else { throw .notFound("The delivery `\(id)` does not exist.") }
        environment.server.wakeDeliveries()
        return Self.redirect("\(Self.prefix)/deliveries")
    }
}
