import EaselCore
import EaselStore
import Foundation
import Hummingbird

extension ConsoleRoutes {
    private static let filterNames = ["app_id", "status", "model", "dialect", "task_id_prefix", "session_id_prefix", "cursor"]
    private static let ranges: [String: TimeInterval] = ["1h": 3600, "24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400]

    /// The admin task search for the console's filters; an app session always searches its own tenant only.
    func taskSearch(_ request: Request, _ signed: ConsoleSigned) async throws(AdminError) -> (tasks: [[String: Any]], next: String?) {
        let parameters = request.uri.queryParameters
        var query: [(String, String)] = Self.filterNames.compactMap { name in
            parameters.get(name).flatMap { $0.isEmpty ? nil : (name, $0) }
        }
        if let range = parameters.get("range").flatMap({ Self.ranges[$0] }) {
            query.append(("created_after", ISOTime.string(Date().addingTimeInterval(-range))))
        }
        if let tenant = signed.tenant {
            query.removeAll { $0.0 == "app_id" }
            query += [("app_id", String(tenant.appId)), ("sub_app_id", String(tenant.subAppId))]
        }
        query.append(("limit", "50"))
        let reply = try await admin.listTasks(Self.adminRequest("/console/tasks", query: query))
        let body = ConsolePages.object(reply.body)
        let tasks = (body["tasks"] as? [[String: Any]] ?? []).map(ConsoleViews.task)
        return (tasks, body["next_cursor"] as? String)
    }

    /// `GET /console/tasks`: filters, a page of tasks (keyset pagination), live rows.
    func tasks(_ request: Request, _ signed: ConsoleSigned) async throws(AdminError) -> Response {
        let (tasks, next) = try await taskSearch(request, signed)
        var values: [String: Any] = ["tasks": tasks, "empty": tasks.isEmpty, "title": "Tasks", "nav_tasks": true]
        let parameters = request.uri.queryParameters
        var filters: [String: Any] = [:]
        for name in Self.filterNames + ["range"] { if let value = parameters.get(name), !value.isEmpty { filters[name] = value } }
        values["filters"] = filters
        values["rows_query"] = Self.query(filters.compactMapValues { $0 as? String }.filter { $0.key != "cursor" })
        if let next {
            var following = filters.compactMapValues { $0 as? String }
            following["cursor"] = next
            values["next_query"] = Self.query(following)
        }
        for status in TaskStatus.allCases where parameters.get("status") == status.rawValue { values["is_\(status.rawValue)"] = true }
        for range in Self.ranges.keys where parameters.get("range") == range { values["range_\(range)"] = true }
        for dialect in Dialect.allCases where parameters.get("dialect") == dialect.rawValue { values["dialect_\(dialect.rawValue)"] = true }
        return page("tasks", values, signed: signed)
    }

    /// `GET /console/rows`: the task table's rows only, for the live list.
    func taskRows(_ request: Request, _ signed: ConsoleSigned) async throws(AdminError) -> Response {
        let (tasks, _) = try await taskSearch(request, signed)
        return ConsolePages.html(pages.render("rows", ["tasks": tasks, "empty": tasks.isEmpty]))
    }

    /// The admin view of the task in the path, or 404 when it does not exist or the session may not see it.
    func taskDetail(_ request: Request, _ context: EaselRequestContext, _ signed: ConsoleSigned) async throws(AdminError) -> [String: Any] {
        let reply = try await admin.showTask(Self.adminRequest("/console", query: []), AdminPathParameters(context))
        let detail = ConsolePages.object(reply.body)
        let tenant = Tenant(appId: detail["app_id"] as? Int64 ?? -1, subAppId: detail["sub_app_id"] as? Int64 ?? -1)
        guard signed.sees(tenant) else {
            throw .notFound("The task `\(detail["task_id"] as? String ?? "")` does not exist.")
        }
        return detail
    }

    /// `GET /console/tasks/{id}` (the page) and `…/live` (its live part only, re-read on every status event).
    func taskPage(_ request: Request, _ context: EaselRequestContext, _ signed: ConsoleSigned,
                  fragment: Bool) async throws(AdminError) -> Response {
        var task = ConsoleViews.task(try await taskDetail(request, context, signed))
        task["is_waiting"] = (task["status"] as? String) == TaskStatus.waiting.rawValue
        task["outputs"] = (task["outputs"] as? [[String: Any]] ?? []).map { output in
            var output = output
            output["size_shown"] = ConsoleViews.size(output["size"] as? Int64 ?? 0)
            return output
        }
        task["deliveries"] = (task["deliveries"] as? [[String: Any]] ?? []).map { delivery in
            var delivery = delivery
            delivery["is_dead"] = (delivery["status"] as? String) == "dead"
            return delivery
        }
        task["has_outputs"] = !(task["outputs"] as? [Any] ?? []).isEmpty
        task["has_deliveries"] = !(task["deliveries"] as? [Any] ?? []).isEmpty
        let request = task["request"] as? [String: Any] ?? [:]
        let inputs = ConsoleViews.inputs(request["inputs"] as? [[String: Any]] ?? [])
        task["inputs"] = inputs
        task["has_inputs"] = !inputs.isEmpty
        task["request_json"] = ConsoleViews.json(request)
        let values: [String: Any] = ["task": task, "title": "Task \(task["task_id"] as? String ?? "")", "nav_tasks": true]
        if fragment {
            var values = values
            values["csrf"] = signed.csrf
            return ConsolePages.html(pages.render("task_live", values))
        }
        return page("task", values, signed: signed)
    }

    /// `GET /console/tasks/{id}/events`: the task's status stream (the same as the dialects'), ending with the task.
    func taskStream(_ request: Request, _ context: EaselRequestContext, _ signed: ConsoleSigned) async throws(AdminError) -> Response {
        let id = TaskID(rawValue: try AdminPathParameters(context).identifier("task_id"))
        guard let task = try await environment.call({ try await environment.store.task(id: id, tenant: signed.tenant) }) else {
            throw .notFound("The task `\(id)` does not exist.")
        }
        guard let ticket = environment.server.streamLimiter.acquire(task.tenant) else {
            throw AdminError(.conflict, "Too many open status streams for this app.")
        }
        let links = TaskStatusView.Links(status: "\(Self.prefix)/tasks/\(id)/events")
        return StatusStream(environment: environment.server, first: task, withLogs: false, links: links,
                            channel: context.channel).response(ticket: ticket)
    }

    /// `POST /console/tasks/{id}/abort`: aborts a waiting task, then shows it.
    func abort(_ request: Request, _ context: EaselRequestContext, _ signed: ConsoleSigned) async throws(AdminError) -> Response {
        let detail = try await taskDetail(request, context, signed)
        _ = try await admin.abortTask(Self.adminRequest("/console", query: []), AdminPathParameters(context))
        return Self.redirect("\(Self.prefix)/tasks/\(detail["task_id"] as? String ?? "")")
    }

    static func query(_ values: [String: String]) -> String {
        var components = URLComponents()
        components.queryItems = values.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        return components.percentEncodedQuery ?? ""
    }
}
