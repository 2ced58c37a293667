import EaselCore
import EaselMacros
import Foundation

/// Renders notification bodies from the current task record, so URLs in them are freshly signed.
@MemberwiseInit
public struct DeliveryRenderer: Sendable {
    let environment: ServerEnvironment

    /// `{"EventType": "AigcImageTaskComplete", "AigcImageCompleteEvent": {...}}`.
    func vodEvent(_ task: TaskRecord) -> [String: JSONValue] {
        [
            "EventType": .string("AigcImageTaskComplete"),
            "AigcImageCompleteEvent": .object(VODTaskView.aigcImageTask(task, fileURL: environment.fileURL)),
        ]
    }

    /// The body of `delivery`.
    public func body(_ delivery: Delivery, task: TaskRecord) -> JSONValue {
        switch delivery.format {
        case .vodEvent:
            return .object(vodEvent(task))
        case .restWebhook:
            var body = eventFields(delivery, task: task)
            body["Response"] = .object(VODTaskView.describeTaskDetail(task, fileURL: environment.fileURL))
            return .object(body)
        case .openAIWebhook:
            var body = eventFields(delivery, task: task)
            body["created"] = .int(Int64(task.createdAt.timeIntervalSince1970))
            body["data"] = .array(task.outputs.map { .object(["url": .string(environment.fileURL($0))]) })
            if let code = task.errorCode {
                body["error"] = .object(["code": .string(code.rawValue), "message": .string(task.errorMessage ?? "")])
            }
            return .object(body)
        }
    }

    private func eventFields(_ delivery: Delivery, task: TaskRecord) -> [String: JSONValue] {
        let status: String = switch task.status {
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .aborted: "cancelled"
        case .waiting, .processing: "running"
        }
        return [
            "event_id": .string(delivery.id), "event_type": .string("task.completed"),
            "task_id": .string(task.id.rawValue), "status": .string(status),
        ]
    }
}
