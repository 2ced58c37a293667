import EaselCore
import Hummingbird

/// The status of an app's tasks for OpenAI-dialect clients (the task id is `easel_task_id` of a result, or the one a
/// 504 names): `GET /v1/images/tasks/{id}/status[?logs=1]` answers the fal-style status JSON and
/// `GET /v1/images/tasks/{id}/status/stream` streams it as Server-Sent Events. Errors use OpenAI's envelope.
struct OpenAITaskRoutes: Sendable {
    let environment: ServerEnvironment

    func register(on router: Router<EaselRequestContext>) {
        router.get("v1/images/tasks/:id/status") { request, context in
            await self.respond(request, context, action: "tasks.status") { task throws(APIError) in
                JSONResponse.make(await environment.statusBody(task, withLogs: ServerEnvironment.wantsLogs(request),
                                                               links: links(task.id)))
            }
        }
        router.get("v1/images/tasks/:id/status/stream") { request, context in
            await self.respond(request, context, action: "tasks.status.stream") { task throws(APIError) in
                let ticket = try environment.streamTicket(for: task.tenant)
                return StatusStream(environment: environment, first: task, withLogs: ServerEnvironment.wantsLogs(request),
                                    links: links(task.id), channel: context.channel).response(ticket: ticket)
            }
        }
    }

    private func respond(_ request: Request, _ context: EaselRequestContext, action: String,
                         _ body: (TaskRecord) async throws(APIError) -> Response) async -> Response {
        context.facts.record(dialect: "openai", action: action)
        let id = TaskID(rawValue: context.parameters.get("id") ?? "")
        context.facts.record(taskId: id)
        do {
            let principal = try await BearerAuthenticator(credentials: environment.credentials).authenticate(request)
            context.facts.record(app: principal.tenant)
            return try await body(try await environment.tasks.task(id: id, tenant: principal.tenant))
        } catch {
            context.facts.record(errorCode: error.code.rawValue)
            return error.openAIResponse()
        }
    }

    private func links(_ id: TaskID) -> TaskStatusView.Links {
        TaskStatusView.Links(status: "\(environment.links.publicBaseURL)/v1/images/tasks/\(id)/status")
    }
}
