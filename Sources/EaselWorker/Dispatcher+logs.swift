import EaselCore
import EaselStore
import Foundation

extension Dispatcher {
    /// Adds lines to task logs. Best effort: a log line is never worth failing or delaying a task for.
    func record(_ lines: [TaskLogLine]) async {
        guard let taskLogs, !lines.isEmpty else { return }
        do {
            try await taskLogs.appendTaskLogs(lines)
        } catch {
            logger.debug("could not write task log lines", metadata: ["error": "\(error)"])
        }
    }

    /// The line that says which node claimed a task.
    func claimLine(_ claimed: ClaimedTask, at date: Date) -> TaskLogLine {
        TaskLogLine(taskId: claimed.task.id, at: date,
                    message: "claimed by node \(settings.nodeName) (attempt \(claimed.task.attempts))")
    }
}
