import ArgumentParser
import EaselCore
import Foundation

/// `easel deliveries`: inspect and replay webhook/callback deliveries, in the local store or through a server's
/// admin API.
struct Deliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Inspect and replay webhook and callback deliveries.",
                                                    subcommands: [List.self, Replay.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List deliveries, newest first, one JSON object per line (--table for a table).")

        @OptionGroup var installation: InstallationOptions
        @Option(help: "Only this app's deliveries.") var appId: Int64?
        @Option(help: "Only deliveries in this state: pending, delivered or dead.") var status: String?
        @Option(help: "At most this many.") var limit = 100
        @Flag(help: "Print a table instead of JSON lines.") var table = false

        func run() async throws {
            if let status, Delivery.Status(rawValue: status) == nil {
                throw CLIError.usage("--status must be pending, delivered or dead.")
            }
            guard limit > 0 else { throw CLIError.usage("--limit must be positive.") }
            let rows: [JSONValue] = try await installation.run { api in
                var query: [(String, String)] = [("limit", String(limit))]
                if let appId { query.append(("app_id", String(appId))) }
                if let status { query.append(("status", status)) }
                return try await api.get("/deliveries", query: query)["deliveries"]?.arrayValue ?? []
            } local: { local in
                let found = try await local.store.deliveries(tenant: nil, status: status.flatMap(Delivery.Status.init(rawValue:)),
                                                             limit: appId == nil ? limit : Int.max)
                return found.filter { appId == nil || $0.tenant.appId == appId }.prefix(limit).map { .object(DeliveryJSON.object($0)) }
            }
            Printer.list(rows, table: table, keys: ["id", "task_id", "app_id", "kind", "status", "attempts", "next_attempt_at", "url"])
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a delivery again (a running server picks it up within a second).")

        @OptionGroup var installation: InstallationOptions
        @Argument(help: "The delivery id (evt_…).") var id: String

        func run() async throws {
            try await installation.post("/deliveries/\(Tasks.pathSegment(id))/replay", orLocally: { local in
                try await local.store.replayDelivery(id: id, tenant: nil, now: Date())
            }, missing: "NotFound: no delivery has id \(id).")
            print("queued \(id) for delivery")
        }
    }
}
