import EaselCore

/// A task's status in fal's queue shape, as the REST proxy's `…/status`, the OpenAI dialect's
/// `/v1/images/tasks/{id}/status` and every event of a status stream carry it: `IN_QUEUE` with `queue_position`,
/// `IN_PROGRESS` with `metrics.progress`, `COMPLETED` with `error` (the message) and `error_type` (the code) when it
/// did not succeed; `logs` is null unless asked for.
enum TaskStatusView {
    /// The URLs a dialect hands out for a task.
    struct Links: Sendable {
        var status: String
        var response: String?
        var cancel: String?
    }

    /// fal's name of a state.
    static func name(_ status: TaskStatus) -> String {
        switch status {
        case .waiting: "IN_QUEUE"
        case .processing: "IN_PROGRESS"
        case .succeeded, .failed, .aborted: "COMPLETED"
        }
    }

    static func body(_ task: TaskRecord, queuePosition: Int, logs: [JSONValue]?, links: Links) -> JSONValue {
        var body: [String: JSONValue] = [
            "status": .string(name(task.status)),
            "request_id": .string(task.id.rawValue),
            "status_url": .string(links.status),
            "logs": logs.map { .array($0) } ?? .null,
            "metrics": .object(["progress": .int(Int64(task.progress))]),
        ]
        if let response = links.response { body["response_url"] = .string(response) }
        if let cancel = links.cancel { body["cancel_url"] = .string(cancel) }
        if task.status == .waiting { body["queue_position"] = .int(Int64(queuePosition)) }
        if task.status.isTerminal, let code = task.errorCode {
            body["error"] = .string(task.errorMessage ?? code.rawValue)
            body["error_type"] = .string(code.rawValue)
        }
        return .object(body)
    }
}
