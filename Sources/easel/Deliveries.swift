import ArgumentParser
import EaselCore
import EaselHTTP
import Foundation

/// `easel deliveries`: inspect and replay webhook/callback deliveries.
struct Deliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Inspect and replay webhook and callback deliveries.",
                                                    subcommands: [List.self, Replay.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List deliveries, newest first, one JSON object per line.")

        @OptionGroup var common: CommonOptions
        @Option(help: "Only deliveries in this state: pending, delivered or dead.") var status: String?
        @Option(help: "At most this many.") var limit = 100

        func run() async throws {
            let runtime = try EaselRuntime(configuration: try common.configuration())
            try await runtime.withStore {
                var filter: Delivery.Status?
                if let status {
                    guard let parsed = Delivery.Status(rawValue: status) else { throw ValidationError("--status must be pending, delivered or dead.") }
                    filter = parsed
                }
                for delivery in try await runtime.store.deliveries(tenant: nil, status: filter, limit: limit) {
                    var object: [String: JSONValue] = [
                        "id": .string(delivery.id), "task_id": .string(delivery.taskId), "app_id": .int(delivery.tenant.appId),
                        "url": .string(delivery.url), "status": .string(delivery.status.rawValue),
                        "attempts": .int(Int64(delivery.attempts)),
                    ]
                    if let error = delivery.lastError { object["last_error"] = .string(error) }
                    print(String(decoding: JSONValue.object(object).encoded(), as: UTF8.self))
                }
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a delivery again (a running server picks it up within a second).")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The delivery id (evt_…).") var id: String

        func run() async throws {
            let runtime = try EaselRuntime(configuration: try common.configuration())
            try await runtime.withStore {
                guard try await runtime.store.replayDelivery(id: id, tenant: nil, now: Date()) else {
                    throw ValidationError("No delivery has id \(id).")
                }
                print("queued \(id) for delivery")
            }
        }
    }
}
