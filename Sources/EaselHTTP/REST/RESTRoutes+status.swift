import EaselCore
import Hummingbird

extension RESTRoutes {
    /// `GET …/query/{id}/status[?logs=1]`: the task's fal-style status.
    func status(_ request: Request, _ context: EaselRequestContext, principal: Principal) async throws(APIError) -> JSONValue {
        let task = try await task(context, principal: principal)
        return await environment.statusBody(task, withLogs: ServerEnvironment.wantsLogs(request), links: links(task.id))
    }

    /// `GET …/query/{id}/status/stream[?logs=1]`: the same status as Server-Sent Events until the task is terminal.
    func statusStream(_ request: Request, _ context: EaselRequestContext, principal: Principal) async throws(APIError) -> Response {
        let task = try await task(context, principal: principal)
        let ticket = try environment.streamTicket(for: principal.tenant)
        return StatusStream(environment: environment, first: task, withLogs: ServerEnvironment.wantsLogs(request),
                            links: links(task.id), channel: context.channel).response(ticket: ticket)
    }

    private func links(_ id: TaskID) -> TaskStatusView.Links {
        let base = "\(environment.links.publicBaseURL)/tencent-vod/v1/query/\(id)"
        return TaskStatusView.Links(status: "\(base)/status", response: base, cancel: "\(base)/cancel")
    }
}
