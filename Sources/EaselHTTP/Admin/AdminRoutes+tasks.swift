import EaselCore
import EaselStore
import Foundation
import Hummingbird

extension AdminRoutes {
    private static let taskParameters: Set<String> = [
        "app_id", "sub_app_id", "status", "model", "dialect", "created_after", "created_before", "task_id_prefix",
        "session_id_prefix", "limit", "cursor",
    ]
    private static let modelCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")

    func listTasks(_ request: Request) async throws(AdminError) -> AdminReply {
        let query = try AdminQuery(request, allowed: Self.taskParameters)
        var search = TaskQuery(appId: try query.id("app_id"), subAppId: try query.id("sub_app_id"),
                               dialect: try query.choice("dialect", Dialect.self),
                               createdFrom: try query.time("created_after"), createdBefore: try query.time("created_before"),
                               idPrefix: try query.string("task_id_prefix"), sessionIdPrefix: try query.string("session_id_prefix"),
                               limit: Int(try query.integer("limit", in: 1...500) ?? 50))
        if let statuses = try query.string("status", maxLength: 200) {
            search.statuses = try statuses.split(separator: ",", omittingEmptySubsequences: false).map { name throws(AdminError) in
                guard let status = TaskStatus(rawValue: name.trimmingWhitespace()) else {
                    throw .invalid("status must be a comma-separated list of \(TaskStatus.allCases.map(\.rawValue).joined(separator: ", ")), got `\(name.prefix(40))`.")
                }
                return status
            }
        }
        if let model = try query.string("model", maxLength: 64) {
            guard model.allSatisfy(Self.modelCharacters.contains) else {
                throw .invalid("model must be NAME-VERSION such as GEM-3.0, or a model name, got `\(model)`.")
            }
            search.model = model
        }
        if let from = search.createdFrom, let before = search.createdBefore, from >= before {
            throw .invalid("created_after must be earlier than created_before.")
        }
        if let cursor = try query.string("cursor") { search.after = try AdminCursor.decode(cursor) }
        let page = try await environment.call { [search] in try await environment.store.searchTasks(search) }
        return AdminReply(body: .object([
            "tasks": .array(page.tasks.map { .object(AdminViews.summary($0)) }),
            "next_cursor": page.nextCursor.map { .string(AdminCursor.encode($0)) } ?? .null,
        ]))
    }

    func showTask(_ request: Request, _ parameters: AdminPathParameters) async throws(AdminError) -> AdminReply {
        _ = try AdminQuery(request, allowed: [])
        let task = try await task(parameters)
        var detail = AdminViews.summary(task)
        detail["prompt"] = AdminViews.string(task.request.prompt)
        detail["negative_prompt"] = AdminViews.string(task.request.negativePrompt)
        detail["session_context"] = AdminViews.string(task.sessionContext)
        detail["request"] = AdminViews.request(task.request)
        detail["outputs"] = .array(task.outputs.map { output in
            .object([
                "url": .string(environment.server.fileURL(output)), "width": AdminViews.int(output.width),
                "height": AdminViews.int(output.height), "content_type": .string(output.contentType),
                "size": AdminViews.int(output.size),
            ])
        })
        detail["queue_position"] = task.status == .waiting
            ? AdminViews.int(await environment.server.tasks.queuePosition(of: task)) : .null
        detail["key_id"] = AdminViews.string(task.keyId)
        detail["run"] = .object(task.run.fields.mapValues(JSONValue.string))
        let deliveries = try await environment.call {
            try await environment.store.deliveries(tenant: task.tenant, status: nil, limit: 500)
        }
        detail["deliveries"] = .array(deliveries.filter { $0.taskId == task.id }.map(AdminViews.delivery))
        return AdminReply(body: .object(detail))
    }

    func abortTask(_ request: Request, _ parameters: AdminPathParameters) async throws(AdminError) -> AdminReply {
        _ = try AdminQuery(request, allowed: [])
        let task = try await task(parameters)
        let conflict = AdminError.conflict("Only waiting tasks can be aborted; the task `\(task.id)` has already started or finished.")
        // The store answers a repeated abort with the aborted task; the admin API reports it as finished.
        guard task.status == .waiting else { throw conflict }
        do {
            let aborted = try await environment.server.tasks.abort(id: task.id, tenant: task.tenant)
            environment.server.wakeDeliveries()
            return AdminReply(body: .object(AdminViews.summary(aborted)))
        } catch {
            switch error.code {
            case "ResourceNotFound": throw .notFound("The task `\(task.id)` does not exist.")
            case "FailedOperation": throw conflict
            default: throw .internalError
            }
        }
    }

    private func task(_ parameters: AdminPathParameters) async throws(AdminError) -> TaskRecord {
        let id = TaskID(rawValue: try parameters.identifier("task_id"))
        guard let task = try await environment.call({ try await environment.store.task(id: id, tenant: nil) }) else {
            throw .notFound("The task `\(id)` does not exist.")
        }
        return task
    }
}
