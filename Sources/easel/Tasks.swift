import ArgumentParser
import EaselCore
import EaselStore
import Foundation

/// `easel tasks`: search, inspect and abort tasks of every app, through a server's admin API (`--url`) or the local
/// store.
struct Tasks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Search, inspect and abort tasks of every app.",
                                                    subcommands: [List.self, Show.self, Cancel.self])

    static let tableKeys = ["task_id", "app_id", "model", "status", "progress", "created_at", "output_count", "error_code"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List tasks, newest first, one JSON object per line (--table for a table).",
            discussion: "When more tasks match, the next page's --cursor is printed on stderr.")

        @OptionGroup var installation: InstallationOptions
        @OptionGroup var app: AppFilterOptions
        @Option(help: "Only these states, comma-separated: waiting, processing, succeeded, failed, aborted.") var status: String?
        @Option(help: "Only this model: NAME-VERSION (GEM-3.0) or a bare name for every version.") var model: String?
        @Option(help: "Only this dialect: vod, mps, rest or openai.") var dialect: String?
        @Option(help: "At most this many (1…500).") var limit = 50
        @Option(help: "Continue after this cursor (printed by the previous page).") var cursor: String?
        @Flag(help: "Print a table instead of JSON lines.") var table = false

        func validate() throws {
            guard (1...500).contains(limit) else { throw ValidationError("--limit must be 1…500.") }
        }

        func run() async throws {
            let statuses = try status.map(Self.statuses)
            if let dialect, Dialect(rawValue: dialect) == nil { throw ValidationError("--dialect must be vod, mps, rest or openai.") }
            let page: (tasks: [JSONValue], next: String?)
            if let admin = try installation.admin() {
                page = try await admin.run { api in
                    var query: [(String, String)] = [("limit", String(limit))] + app.query
                    if let statuses { query.append(("status", statuses.map(\.rawValue).joined(separator: ","))) }
                    if let model { query.append(("model", model)) }
                    if let dialect { query.append(("dialect", dialect)) }
                    if let cursor { query.append(("cursor", cursor)) }
                    let answer = try await api.get("/tasks", query: query)
                    return (answer["tasks"]?.arrayValue ?? [], answer["next_cursor"]?.lenientString)
                }
            } else {
                var after: Int64?
                if let cursor {
                    guard let value = Int64(cursor) else { throw ValidationError("--cursor `\(cursor)` is not a cursor this store printed.") }
                    after = value
                }
                let query = TaskQuery(appId: app.appId, subAppId: app.subAppId, statuses: statuses, model: model,
                                      dialect: dialect.flatMap(Dialect.init(rawValue:)), after: after, limit: limit)
                page = try await LocalInstallation.with(installation.common) { local in
                    let found = try await local.store.searchTasks(query)
                    return (found.tasks.map { JSONValue.object(TaskJSON.summary($0)) }, found.nextCursor.map(String.init))
                }
            }
            Printer.list(page.tasks, table: table, keys: Tasks.tableKeys)
            if let next = page.next { Printer.note("more tasks: --cursor \(next)") }
        }

        static func statuses(_ text: String) throws(CLIError) -> [TaskStatus] {
            var result: [TaskStatus] = []
            for name in text.split(separator: ",").map({ $0.trimmingWhitespace().lowercased() }) where !name.isEmpty {
                guard let status = TaskStatus(rawValue: name) else {
                    throw .usage("--status takes waiting, processing, succeeded, failed or aborted; got `\(name)`.")
                }
                result.append(status)
            }
            return result
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one task (request, outputs with their URLs, queue position, deliveries) as a JSON object.")

        @OptionGroup var target: OneTaskOptions

        func run() async throws {
            try await target.printAnswer { api, path in
                try await api.get(path)
            } local: { local, task in
                let position = task.status == .waiting ? try await local.store.queuePosition(of: task) : nil
                let deliveries = try await local.store.deliveries(tenant: task.tenant, status: nil, limit: 10_000)
                    .filter { $0.taskId == task.id }
                return .object(TaskJSON.detail(task, queuePosition: position, deliveries: deliveries, fileURL: local.fileURL))
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Abort a waiting task and print it; a task that already started or finished cannot be aborted.")

        @OptionGroup var target: OneTaskOptions

        func run() async throws {
            try await target.printAnswer { api, path in
                try await api.post(path + "/abort")
            } local: { local, task in
                let plan = await local.outboxPlan()
                do {
                    let aborted = try await local.store.abort(id: task.id, tenant: task.tenant, at: Date(), outbox: plan)
                    return .object(TaskJSON.summary(aborted))
                } catch let error as StoreError where error == .conflict {
                    throw CLIError.failed("Conflict: task \(task.id) has already started or finished; only waiting tasks can be aborted.")
                } catch let error as StoreError where error == .notFound {
                    throw CLIError.failed("NotFound: no task has id \(task.id).")
                }
            }
        }
    }

    // TaskIds are letters, digits and dashes; anything else is percent-encoded so it stays one path segment.
    static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
