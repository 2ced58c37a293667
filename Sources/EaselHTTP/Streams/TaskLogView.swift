import EaselCore
import EaselStore
import Foundation

/// A task's log as status routes show it with `?logs=1`, in fal's shape (`message`, `level`, `source`,
/// `timestamp`): when it was queued, the stored lines (claimed by a node, upstream task id, retries, failover) and
/// how it ended. The first and last lines come from the task record itself, so they cost no write.
enum TaskLogView {
    /// The most stored lines shown.
    static let limit = 100

    static func lines(_ task: TaskRecord, stored: [TaskLogLine]) -> [JSONValue] {
        var entries: [(at: Date, level: String, message: String)] = [
            (task.createdAt, "INFO", "queued: model \(task.model), priority \(task.priority)"),
        ]
        entries += stored.map { ($0.at, "INFO", $0.message) }
        if let finishedAt = task.finishedAt {
            switch task.status {
            case .succeeded:
                entries.append((finishedAt, "INFO", "stored \(task.outputs.count) image\(task.outputs.count == 1 ? "" : "s")"))
            case .failed:
                entries.append((finishedAt, "ERROR", "failed with \(task.errorCode ?? "InternalError")"))
            case .aborted:
                entries.append((finishedAt, "INFO", "cancelled before it started"))
            case .waiting, .processing:
                break
            }
        }
        // Stable: lines written in the same instant keep their order.
        let ordered = entries.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }
        return ordered.map { entry in
            .object([
                "message": .string(entry.element.message), "level": .string(entry.element.level),
                "source": .string("easel"), "timestamp": .string(entry.element.at.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))),
            ])
        }
    }
}
