import EaselCore
import Foundation
import HTTPTypes
import Hummingbird

extension ConsoleRoutes {
    /// `GET /console/apps` (admin only): apps with their limits, their keys, and forms to create, change and revoke.
    func apps(_ signed: ConsoleSigned, issued: [String: Any]? = nil) async throws(AdminError) -> Response {
        try Self.adminOnly(signed)
        let apps = ConsolePages.object(try await admin.listApps(Self.adminRequest("/console/apps", query: [])).body)["apps"]
        let keys = ConsolePages.object(try await admin.listKeys(Self.adminRequest("/console/keys", query: [])).body)["keys"]
        let shownKeys = (keys as? [[String: Any]] ?? []).map { key in
            var key = key
            for field in ["created_at", "revoked_at", "expires_at"] {
                if let time = key[field] as? String { key[field + "_shown"] = ConsoleViews.shown(time) }
            }
            return key
        }
        var values: [String: Any] = ["title": "Apps and keys", "nav_apps": true, "apps": apps ?? [], "keys": shownKeys]
        if let issued { values["issued"] = issued }
        return page("apps", values, signed: signed)
    }

    /// `POST /console/apps`: creates an app with its limits.
    func createApp(_ signed: ConsoleSigned, _ form: ConsoleForm) async throws(AdminError) -> Response {
        try Self.adminOnly(signed)
        let body = Self.json(form, integers: ["app_id", "sub_app_id", "concurrency"], numbers: ["create_rate_per_second"],
                             texts: ["name"])
        _ = try await admin.createApp(Self.adminRequest("/console/apps", method: .post, body: body))
        return Self.redirect("\(Self.prefix)/apps")
    }

    /// `POST /console/apps/{app_id}`: changes an app's limits (`sub_app_id` names the sub-application).
    func changeApp(_ signed: ConsoleSigned, _ form: ConsoleForm, _ context: EaselRequestContext) async throws(AdminError) -> Response {
        try Self.adminOnly(signed)
        let appId = try AdminPathParameters(context).appId()
        let body = Self.json(form, integers: ["concurrency"], numbers: ["create_rate_per_second"], texts: [])
        let query = form["sub_app_id"].flatMap { $0.isEmpty ? nil : "?sub_app_id=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" } ?? ""
        _ = try await admin.patchApp(Self.adminRequest("/console/apps/\(appId)\(query)", method: .patch, body: body),
                                     AdminPathParameters(context))
        return Self.redirect("\(Self.prefix)/apps")
    }

    /// `POST /console/keys`: issues a key; the page shows its secrets this once.
    func createKey(_ signed: ConsoleSigned, _ form: ConsoleForm) async throws(AdminError) -> Response {
        try Self.adminOnly(signed)
        let body = Self.json(form, integers: ["app_id", "sub_app_id"], numbers: [], texts: [])
        let issued = try await admin.createKey(Self.adminRequest("/console/keys", method: .post, body: body))
        return try await apps(signed, issued: ConsolePages.object(issued.body))
    }

    /// `POST /console/keys/{secret_id}/revoke`.
    func revokeKey(_ signed: ConsoleSigned, _ context: EaselRequestContext) async throws(AdminError) -> Response {
        try Self.adminOnly(signed)
        _ = try await admin.revokeKey(Self.adminRequest("/console/keys", method: .post, body: ""), AdminPathParameters(context))
        return Self.redirect("\(Self.prefix)/apps")
    }

    static func adminOnly(_ signed: ConsoleSigned) throws(AdminError) {
        guard signed.session.role == .admin else { throw AdminError(.forbidden, "Only the admin manages apps and keys.") }
    }

    /// The form's non-empty fields as an admin JSON body; a field that is not a number stays text, so the admin
    /// API's own validation names it.
    static func json(_ form: ConsoleForm, integers: Set<String>, numbers: Set<String>, texts: Set<String>) -> String {
        var members: [String: JSONValue] = [:]
        for name in integers.union(numbers).union(texts) {
            guard let text = form[name]?.trimmingWhitespace(), !text.isEmpty else { continue }
            if integers.contains(name), let value = Int64(text) {
                members[name] = .int(value)
            } else if numbers.contains(name), let value = Double(text) {
                members[name] = .double(value)
            } else {
                members[name] = .string(text)
            }
        }
        return String(decoding: JSONValue.object(members).encoded(), as: UTF8.self)
    }
}
