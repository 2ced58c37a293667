import EaselCore
import Foundation
import GRDB

extension SQLiteStore: TaskLogStore {
    // v6: task log lines, deleted with their task (GRDB enables foreign keys).
    static func registerTaskLogMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6-task-logs") { db in
            try db.execute(sql: """
                CREATE TABLE task_logs (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
                    at REAL NOT NULL,
                    message TEXT NOT NULL
                );
                CREATE INDEX task_logs_task ON task_logs(task_id, at);
                """)
        }
    }

    public func appendTaskLogs(_ lines: [TaskLogLine]) async throws {
        guard !lines.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO task_logs (task_id, at, message) SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM tasks WHERE id = ?1)
                """)
            for line in lines {
                try statement.execute(arguments: [line.taskId, line.at.timeIntervalSince1970, line.message])
            }
        }
    }

    public func taskLogs(taskId: TaskID, limit: Int) async throws -> [TaskLogLine] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT at, message FROM task_logs WHERE task_id = ? ORDER BY at, seq LIMIT ?",
                             arguments: [taskId, max(limit, 0)]).map {
                TaskLogLine(taskId: taskId, at: Date(timeIntervalSince1970: $0["at"]), message: $0["message"])
            }
        }
    }
}
