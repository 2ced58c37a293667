import EaselCore
import EaselStore
import Hummingbird

extension ServerEnvironment {
    /// A task's fal-style status, with its log lines when `withLogs`.
    func statusBody(_ task: TaskRecord, withLogs: Bool, links: TaskStatusView.Links) async -> JSONValue {
        let position = task.status == .waiting ? await tasks.queuePosition(of: task) : 0
        var logs: [JSONValue]?
        if withLogs {
            var stored: [TaskLogLine] = []
            do {
                stored = try await taskLogs?.taskLogs(taskId: task.id, limit: TaskLogView.limit) ?? []
            } catch {
                // The record's own lines still answer; the store's failure is the operator's to see.
                logger.warning("could not read task log lines", metadata: ["task.id": "\(task.id)", "error": "\(error)"])
            }
            logs = TaskLogView.lines(task, stored: stored)
        }
        return TaskStatusView.body(task, queuePosition: position, logs: logs, links: links)
    }

    /// Whether a status request asks for log lines: `?logs=1` (fal-client sends `logs=true` or `logs=false`).
    static func wantsLogs(_ request: Request) -> Bool {
        guard let value = request.uri.queryParameters.get("logs")?.lowercased() else { return false }
        return ["1", "true", "yes"].contains(value)
    }
}

extension ServerEnvironment {
    /// A slot for one more status stream of `tenant`, or `RequestLimitExceeded.StatusStreams` (429) at the limit.
    func streamTicket(for tenant: Tenant) throws(APIError) -> StreamTicket {
        guard let ticket = streamLimiter.acquire(tenant) else {
            throw APIError("RequestLimitExceeded.StatusStreams",
                           "This app already has \(streamLimiter.limit) open status streams (streams.max_per_app); close one or poll the status instead.")
        }
        return ticket
    }
}
