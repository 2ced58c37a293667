import EaselCore
import Foundation
import PostgresNIO

extension PostgresStore: TaskLogStore {
    /// v4: task log lines, deleted with their task.
    static let taskLogMigration: (version: Int, statements: [String]) = (4, [
        """
        CREATE TABLE task_logs (
            seq bigserial PRIMARY KEY,
            task_id text NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            at double precision NOT NULL,
            message text NOT NULL
        )
        """,
        "CREATE INDEX task_logs_task ON task_logs (task_id, at)",
    ])

    public func appendTaskLogs(_ lines: [TaskLogLine]) async throws {
        guard !lines.isEmpty else { return }
        try await transaction { tx in
            for line in lines {
                try await tx.run("""
                    INSERT INTO task_logs (task_id, at, message)
                    SELECT \(line.taskId), \(line.at.timeIntervalSince1970), \(line.message)
                    WHERE EXISTS (SELECT 1 FROM tasks WHERE id = \(line.taskId))
                    """)
            }
        }
    }

    public func taskLogs(taskId: TaskID, limit: Int) async throws -> [TaskLogLine] {
        try await statement { tx in
            try await tx.rows("""
                SELECT at, message FROM task_logs WHERE task_id = \(taskId) ORDER BY at, seq LIMIT \(max(limit, 0))
                """).map { row in
                let (at, message) = try row.decode((Double, String).self)
                return TaskLogLine(taskId: taskId, at: Date(timeIntervalSince1970: at), message: message)
            }
        }
    }
}
