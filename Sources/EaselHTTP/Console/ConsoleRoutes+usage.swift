import EaselCore
import Foundation
import Hummingbird

extension ConsoleRoutes {
    private static let usageFilters = ["app_id", "key_id", "model", "since", "until"]

    /// `GET /console/usage`: the admin usage report (per app, key, model and day, with totals and cost) for the
    /// filters; an app session's report covers its own app only.
    func usage(_ request: Request, _ signed: ConsoleSigned) async throws(AdminError) -> Response {
        let parameters = request.uri.queryParameters
        var query: [(String, String)] = Self.usageFilters.compactMap { name in
            parameters.get(name).flatMap { $0.isEmpty ? nil : (name, $0) }
        }
        if let tenant = signed.tenant {
            query.removeAll { $0.0 == "app_id" }
            query += [("app_id", String(tenant.appId)), ("sub_app_id", String(tenant.subAppId))]
        }
        let report = ConsolePages.object(try await admin.usage(Self.adminRequest("/console/usage", query: query)).body)
        var filters: [String: Any] = [:]
        for name in Self.usageFilters { if let value = parameters.get(name), !value.isEmpty { filters[name] = value } }
        let rows = report["usage"] as? [[String: Any]] ?? []
        return page("usage", ["title": "Usage", "nav_usage": true, "rows": rows, "empty": rows.isEmpty,
                              "totals": report["totals"] ?? [:], "filters": filters], signed: signed)
    }
}
