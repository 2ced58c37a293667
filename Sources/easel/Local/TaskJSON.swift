import EaselCore
import Foundation

/// Tasks read from the local store, rendered as the admin API renders them (`TaskSummary` and the detail of
/// `GET /tasks/{id}`), so `easel tasks` prints the same fields with and without `--url`.
enum TaskJSON {
    /// The `TaskSummary` object.
    static func summary(_ task: TaskRecord) -> [String: JSONValue] {
        [
            "task_id": .string(task.id.rawValue), "app_id": .int(task.tenant.appId), "sub_app_id": .int(task.tenant.subAppId),
            "dialect": .string(task.dialect.rawValue), "model": .string(task.model), "status": .string(task.status.rawValue),
            "progress": .int(Int64(task.progress)), "priority": .int(Int64(task.priority)),
            "session_id": optional(task.sessionId), "created_at": time(task.createdAt), "started_at": time(task.startedAt),
            "finished_at": time(task.finishedAt), "error_code": optional(task.errorCode?.rawValue),
            "error_message": optional(task.errorMessage), "output_count": .int(Int64(task.outputs.count)),
            "attempts": .int(Int64(task.attempts)),
        ]
    }

    /// The detail object: the summary plus the request, outputs (with signed URLs), queue position, key and
    /// deliveries.
    static func detail(_ task: TaskRecord, queuePosition: Int?, deliveries: [Delivery],
                       fileURL: (TaskOutput) -> String) -> [String: JSONValue] {
        var object = summary(task)
        object["prompt"] = optional(task.request.prompt)
        object["negative_prompt"] = optional(task.request.negativePrompt)
        object["session_context"] = optional(task.sessionContext)
        object["request"] = request(task.request)
        object["outputs"] = .array(task.outputs.map { output in
            .object(["url": .string(fileURL(output)), "width": .int(Int64(output.width)), "height": .int(Int64(output.height)),
                     "content_type": .string(output.contentType), "size": .int(Int64(output.size))])
        })
        object["queue_position"] = queuePosition.map { .int(Int64($0)) } ?? .null
        object["key_id"] = optional(task.keyId)
        object["run"] = .object(task.run.fields.mapValues { .string($0) })
        object["deliveries"] = .array(deliveries.map { .object(DeliveryJSON.object($0)) })
        return object
    }

    /// The validated request as JSON with snake_case keys.
    static func request(_ request: ImageRequest) -> JSONValue {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        guard let data = try? encoder.encode(request), let value = try? JSONValue.parse(Array(data)) else { return .null }
        return value
    }

    static func optional(_ text: String?) -> JSONValue { text.map { .string($0) } ?? .null }

    static func time(_ date: Date?) -> JSONValue { date.map { .string(ISOTime.string($0)) } ?? .null }
}
