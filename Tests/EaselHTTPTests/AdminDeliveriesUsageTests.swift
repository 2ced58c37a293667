import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import EaselApp
@testable import EaselHTTP

/// Deliveries and usage through the admin API.
@Suite struct AdminDeliveriesUsageTests {
    @Test func listAndReplayDeliveriesOfEveryApp() async throws {
        let server = try await TestServer.withAdmin { configuration in
            configuration.apps = [.init(appId: 251_007_502, webhookUrl: "https://hooks.example.com/a")]
        }
        let other = try await server.server.runtime.createCredential(tenant: Tenant(appId: 91, subAppId: 92))
        try await server.test { client in
            _ = try await client.admin(.post, "apps", body: #"{"app_id": 91, "sub_app_id": 92, "webhook_url": "https://hooks.example.com/b"}"#)
            let mine = try await client.createRESTTask(apiKey: server.credentials.apiKey)
            let theirs = try await client.createRESTTask(apiKey: other.apiKey)
            for id in [mine, theirs] { _ = try await client.waitForTask(id) { $0["status"] == .string("succeeded") } }
            let all = try #require(try await client.admin(.get, "deliveries").json["deliveries"]?.arrayValue)
            #expect(Set(all.compactMap { $0["task_id"]?.lenientString }) == [mine, theirs])
            let delivery = try #require(all.first { $0["task_id"] == .string(theirs) })
            #expect(delivery["app_id"] == .int(91) && delivery["sub_app_id"] == .int(92))
            #expect(delivery["url"] == .string("https://hooks.example.com/b"))
            #expect(delivery["status"] == .string("pending"))
            for field in ["id", "kind", "attempts", "next_attempt_at", "last_error", "created_at"] { #expect(delivery[field] != nil, "\(field)") }
            let filtered = try #require(try await client.admin(.get, "deliveries?app_id=91&status=pending&limit=5").json["deliveries"]?.arrayValue)
            #expect(filtered.compactMap { $0["task_id"]?.lenientString } == [theirs])
            #expect(try await client.admin(.get, "deliveries?status=dead").json["deliveries"] == .array([]))
            #expect(try await client.admin(.get, "deliveries?limit=1").json["deliveries"]?.arrayValue?.count == 1)
            let id = try #require(delivery["id"]?.lenientString)
            let replayed = try await client.admin(.post, "deliveries/\(id)/replay")
            #expect(replayed.json == .object(["id": .string(id), "replayed": .bool(true)]))
            try await client.admin(.post, "deliveries/nope/replay").expectError(.notFound, "NotFound")
        }
    }

    @Test func usageCountsTasksAndPricesThem() async throws {
        let server = try await TestServer.withAdmin { configuration in
            configuration.usagePrices = ["GEM-3.0": .init(perImage: 0.04, perTask: 0.01)]
            configuration.scheduling.createRateLimit = 0
        }
        try await server.test { client in
            for _ in 0..<3 {
                let id = try await client.createRESTTask(apiKey: server.credentials.apiKey)
                _ = try await client.waitForTask(id) { $0["status"] == .string("succeeded") }
            }
            _ = try await client.admin(.patch, "apps/251007502", body: #"{"concurrency": 0}"#)
            let held = try await client.createRESTTask(apiKey: server.credentials.apiKey)
            #expect(try await client.admin(.post, "tasks/\(held)/abort").status == .ok)
            let unpriced = try await client.createRESTTask(apiKey: server.credentials.apiKey, version: "2.5")
            #expect(try await client.admin(.post, "tasks/\(unpriced)/abort").status == .ok)

            let today = String(ISOTime.string(Date()).prefix(10))
            let report = try await client.admin(.get, "usage?app_id=251007502&since=\(today)&until=\(today)")
            #expect(report.status == .ok)
            let rows = try #require(report.json["usage"]?.arrayValue)
            let gem3 = try #require(rows.first { $0["model"] == .string("GEM-3.0") })
            #expect(gem3["created"] == .int(4) && gem3["succeeded"] == .int(3) && gem3["aborted"] == .int(1) && gem3["failed"] == .int(0))
            #expect(gem3["images"] == .int(3))
            #expect(gem3["cost"] == .double(0.15))
            #expect(gem3["key_id"] == .string(server.credentials.secretId))
            #expect(gem3["day"] == .string(today))
            #expect(gem3["upstream_seconds"]?.objectValue == nil && gem3["upstream_seconds"] != .null)
            let gem25 = try #require(rows.first { $0["model"] == .string("GEM-2.5") })
            #expect(gem25["cost"] == .null)
            let totals = try #require(report.json["totals"])
            #expect(totals["created"] == .int(5) && totals["succeeded"] == .int(3) && totals["aborted"] == .int(2))
            #expect(totals["cost"] == .double(0.15))
            let byModel = try await client.admin(.get, "usage?model=GEM-2.5&key_id=\(server.credentials.secretId)")
            #expect(byModel.json["usage"]?.arrayValue?.count == 1)
            #expect(byModel.json["totals"]?["cost"] == .null)
            #expect(try await client.admin(.get, "usage?since=2000-01-01&until=2000-01-02").json["usage"] == .array([]))
        }
    }
}
