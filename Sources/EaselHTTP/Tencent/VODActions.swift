import EaselCore
import EaselServices
import Foundation

/// The VOD 2018-07-17 actions Easel serves.
struct VODActions: Sendable {
    let environment: ServerEnvironment
    let principal: Principal

    func perform(_ action: String, params: FieldReader) async throws(APIError) -> [String: JSONValue] {
        switch action {
        case "CreateAigcImageTask": return try await create(params)
        case "DescribeTaskDetail": return try await describe(params)
        case "DescribeTasks": return try await list(params)
        case "ManageTask": return try await manage(params)
        case "PullEvents": return try await pullEvents(params)
        case "ConfirmEvents": return try await confirmEvents(params)
        default: throw .invalidAction(action)
        }
    }

    func checkSubApp(_ subAppId: Int64?) throws(APIError) {
        if let subAppId, subAppId != principal.tenant.subAppId {
            throw APIError("InvalidParameterValue.SubAppId", "SubAppId \(subAppId) does not belong to these credentials.")
        }
    }

    private func create(_ params: FieldReader) async throws(APIError) -> [String: JSONValue] {
        let command = try VODCreateDecoder.decode(params)
        try checkSubApp(command.subAppId)
        try await environment.admission.admit(principal.tenant)
        let task = try await environment.tasks.submit(Submission(
            tenant: principal.tenant, dialect: .vod, request: command.request, priority: command.priority,
            sessionId: command.sessionId, sessionContext: command.sessionContext, callbackURL: command.callbackURL,
            idempotencyKey: principal.requestKey, keyId: principal.secretId))
        return ["TaskId": .string(task.id.rawValue)]
    }

    private func describe(_ params: FieldReader) async throws(APIError) -> [String: JSONValue] {
        try checkSubApp(try params.int("SubAppId"))
        let task = try await environment.tasks.task(id: TaskID(rawValue: try params.requiredString("TaskId")), tenant: principal.tenant)
        return VODTaskView.describeTaskDetail(task, fileURL: environment.fileURL)
    }

    private func list(_ params: FieldReader) async throws(APIError) -> [String: JSONValue] {
        try checkSubApp(try params.int("SubAppId"))
        var statuses: [TaskStatus]?
        if let status = try params.string("Status"), !status.isEmpty {
            switch status.uppercased() {
            case "WAITING": statuses = [.waiting]
            case "PROCESSING": statuses = [.processing]
            case "FINISH": statuses = [.succeeded, .failed]
            case "ABORTED": statuses = [.aborted]
            default: throw .invalidValue("Status must be WAITING, PROCESSING or FINISH, got `\(status)`.")
            }
        }
        let limit = Int(try params.int("Limit") ?? 10)
        guard (1...100).contains(limit) else { throw .invalidValue("Limit must be between 1 and 100, got \(limit).") }
        let scrollToken = try params.string("ScrollToken") ?? ""
        // Tokens are offsets this server issued; anything beyond a billion is not one (and would overflow below).
        guard let offset = scrollToken.isEmpty ? 0 : Int(scrollToken), (0...1_000_000_000).contains(offset) else {
            throw .invalidValue("ScrollToken `\(scrollToken)` is not one this server issued.")
        }
        let since = Date().addingTimeInterval(-72 * 3600)
        let tasks = try await environment.tasks.tasks(tenant: principal.tenant, statuses: statuses, since: since,
                                                      limit: limit + 1, offset: offset)
        let page = tasks.prefix(limit)
        return [
            "TaskSet": .array(page.map { .object(VODTaskView.simpleInfo($0)) }),
            "ScrollToken": .string(tasks.count > limit ? String(offset + limit) : ""),
        ]
    }

    private func manage(_ params: FieldReader) async throws(APIError) -> [String: JSONValue] {
        try checkSubApp(try params.int("SubAppId"))
        let taskId = TaskID(rawValue: try params.requiredString("TaskId"))
        let operation = try params.requiredString("OperationType")
        guard operation.lowercased() == "abort" else {
            throw .invalidValue("OperationType must be Abort, got `\(operation)`.")
        }
        _ = try await environment.tasks.abort(id: taskId, tenant: principal.tenant)
        return [:]
    }
}
