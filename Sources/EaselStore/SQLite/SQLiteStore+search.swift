import EaselCore
import Foundation
import GRDB

extension SQLiteStore: TaskSearch {
    public func searchTasks(_ query: TaskQuery) async throws -> TaskPage {
        let limit = min(max(query.limit, 1), 500)
        return try await read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            func filter(_ condition: String, _ values: [(any DatabaseValueConvertible)?]) {
                conditions.append(condition)
                arguments += StatementArguments(values)
            }
            if let appId = query.appId { filter("app_id = ?", [appId]) }
            if let subAppId = query.subAppId { filter("sub_app_id = ?", [subAppId]) }
            if let statuses = query.statuses, !statuses.isEmpty {
                filter("status IN (\(statuses.map { _ in "?" }.joined(separator: ",")))", statuses.map(\.rawValue))
            }
            if let model = query.model {
                filter("(model = ? OR model GLOB ?)", [model, Self.globPrefix(model + "-")])
            }
            if let dialect = query.dialect { filter("dialect = ?", [dialect.rawValue]) }
            if let from = query.createdFrom { filter("created_at >= ?", [from.timeIntervalSince1970]) }
            if let before = query.createdBefore { filter("created_at < ?", [before.timeIntervalSince1970]) }
            // GLOB is case-sensitive like the ids themselves, and a literal prefix lets SQLite range-scan the index.
            if let prefix = query.idPrefix, !prefix.isEmpty { filter("id GLOB ?", [Self.globPrefix(prefix)]) }
            if let prefix = query.sessionIdPrefix, !prefix.isEmpty { filter("session_id GLOB ?", [Self.globPrefix(prefix)]) }
            if let after = query.after { filter("seq < ?", [after]) }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let rows = try Row.fetchAll(db, sql: "SELECT \(Self.taskColumns) FROM tasks \(whereClause) ORDER BY seq DESC LIMIT ?",
                                        arguments: arguments + [limit + 1])
            let page = rows.prefix(limit)
            let tasks = try page.map(Self.task(from:))
            let cursor: Int64? = rows.count > limit ? page.last?["seq"] : nil
            return TaskPage(tasks: tasks, nextCursor: cursor)
        }
    }

    /// A GLOB pattern matching every string that starts with `prefix` (its wildcard characters taken literally).
    static func globPrefix(_ prefix: String) -> String {
        var pattern = ""
        for character in prefix {
            if "*?[".contains(character) { pattern += "[\(character)]" } else { pattern.append(character) }
        }
        return pattern + "*"
    }
}
