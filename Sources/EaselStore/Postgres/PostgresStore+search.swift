import EaselCore
import Foundation
import PostgresNIO

extension PostgresStore: TaskSearch {
    public func searchTasks(_ query: TaskQuery) async throws -> TaskPage {
        let limit = min(max(query.limit, 1), 500)
        let statusNames = query.statuses.flatMap { $0.isEmpty ? nil : $0.map(\.rawValue) }
        let modelPattern = query.model.map { Self.likePrefix($0 + "-") }
        let idPattern = query.idPrefix.flatMap { $0.isEmpty ? nil : Self.likePrefix($0) }
        let sessionPattern = query.sessionIdPrefix.flatMap { $0.isEmpty ? nil : Self.likePrefix($0) }
        let from = query.createdFrom?.timeIntervalSince1970
        let before = query.createdBefore?.timeIntervalSince1970
        // Each statement is planned with its parameters known, so the filters left unset fold away and a prefix
        // pattern can range-scan its text_pattern_ops index.
        let rows = try await statement { tx in
            try await tx.rows("""
                SELECT \(unescaped: Self.taskColumns) FROM tasks
                WHERE (\(query.appId)::bigint IS NULL OR app_id = \(query.appId)::bigint)
                  AND (\(query.subAppId)::bigint IS NULL OR sub_app_id = \(query.subAppId)::bigint)
                  AND (\(statusNames)::text[] IS NULL OR status = ANY(\(statusNames)::text[]))
                  AND (\(query.model)::text IS NULL OR model = \(query.model)::text OR model LIKE \(modelPattern)::text)
                  AND (\(query.dialect?.rawValue)::text IS NULL OR dialect = \(query.dialect?.rawValue)::text)
                  AND (\(from)::double precision IS NULL OR created_at >= \(from)::double precision)
                  AND (\(before)::double precision IS NULL OR created_at < \(before)::double precision)
                  AND (\(idPattern)::text IS NULL OR id LIKE \(idPattern)::text)
                  AND (\(sessionPattern)::text IS NULL OR session_id LIKE \(sessionPattern)::text)
                  AND (\(query.after)::bigint IS NULL OR seq < \(query.after)::bigint)
                ORDER BY seq DESC LIMIT \(limit + 1)
                """)
        }
        let page = rows.prefix(limit)
        let tasks = try page.map(Self.task(from:))
        let cursor = rows.count > limit ? try page.last?.decode(Int64.self) : nil
        return TaskPage(tasks: tasks, nextCursor: cursor)
    }

    /// A LIKE pattern matching every string that starts with `prefix` (its wildcards and backslashes taken literally).
    static func likePrefix(_ prefix: String) -> String {
        var pattern = ""
        for character in prefix {
            if "\\%_".contains(character) { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern + "%"
    }
}
