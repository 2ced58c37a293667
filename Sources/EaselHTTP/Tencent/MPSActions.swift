import EaselCore
import EaselServices

/// The MPS 2019-06-12 actions Easel serves.
struct MPSActions: Sendable {
    let environment: ServerEnvironment
    let principal: Principal

    func perform(_ action: String, params: FieldReader) async throws(APIError) -> [String: JSONValue] {
        switch action {
        case "CreateAigcImageTask":
            let command = try MPSCreateDecoder.decode(params, catalog: environment.catalog)
            try await environment.admission.admit(principal.tenant)
            let task = try await environment.tasks.submit(Submission(tenant: principal.tenant, dialect: .mps, request: command.request,
                                                                        idempotencyKey: principal.requestKey, keyId: principal.secretId))
            return ["TaskId": .string(task.id.rawValue)]
        case "DescribeAigcImageTask":
            let task = try await environment.tasks.task(id: TaskID(rawValue: try params.requiredString("TaskId")), tenant: principal.tenant)
            return MPSTaskView.describe(task, fileURL: environment.fileURL)
        default:
            throw .invalidAction(action)
        }
    }
}
