import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import EaselApp
@testable import EaselHTTP

/// Apps through the admin API: listing, creation, changes, and their effect on scheduling, rates and notifications.
@Suite struct AdminAppsTests {
    @Test func appsKnownFromKeysOrConfigurationAreListedWithTheirEffectiveSettings() async throws {
        let server = try await TestServer.withAdmin { configuration in
            configuration.apps = [.init(appId: 42, subAppId: 43, concurrency: 3, callbackUrl: "https://hooks.example.com/vod")]
            configuration.scheduling.defaultConcurrency = 2
            configuration.scheduling.createRateLimit = 5
        }
        try await server.test { client in
            let apps = try #require(try await client.admin(.get, "apps").json["apps"]?.arrayValue)
            #expect(apps.map { $0["app_id"]?.lenientInt } == [42, 251_007_502])
            let configured = apps[0]
            #expect(configured["sub_app_id"] == .int(43))
            #expect(configured["concurrency"] == .int(3))
            #expect(configured["callback_url"] == .string("https://hooks.example.com/vod"))
            #expect(configured["create_rate_per_second"] == .int(5), "5.0 is written 5")
            #expect(configured["stored"] == .bool(false))
            #expect(configured["created_at"] == .null)
            #expect(configured["webhook_url"] == .null)
            let fromKeys = apps[1]
            #expect(fromKeys["concurrency"] == .int(2))
            #expect(fromKeys["name"] == .null)
            let one = try await client.admin(.get, "apps/42?sub_app_id=43")
            #expect(one.status == .ok)
            #expect(one.json == configured)
            try await client.admin(.get, "apps/42").expectError(.notFound, "NotFound", "sub-app 42 of app 42 is unknown")
            try await client.admin(.get, "apps/9").expectError(.notFound, "NotFound")
            try await client.admin(.patch, "apps/9", body: #"{"name": "x"}"#).expectError(.notFound, "NotFound")
        }
    }

    @Test func createPatchAndClearAnApp() async throws {
        let server = try await TestServer.withAdmin { configuration in
            configuration.apps = [.init(appId: 50, concurrency: 4, webhookUrl: "https://config.example.com/hook")]
        }
        try await server.test { client in
            let created = try await client.admin(.post, "apps", body: """
                {"app_id": 50, "name": "Fifty", "concurrency": 2, "create_rate_per_second": 1.5,
                 "webhook_url": "https://admin.example.com/hook", "callback_url": "https://admin.example.com/vod"}
                """)
            #expect(created.status == .created)
            #expect(created.json["sub_app_id"] == .int(50))
            #expect(created.json["name"] == .string("Fifty"))
            #expect(created.json["concurrency"] == .int(2))
            #expect(created.json["create_rate_per_second"] == .double(1.5))
            #expect(created.json["stored"] == .bool(true))
            let createdAt = try #require(created.json["created_at"]?.lenientString)
            #expect(ISOTime.parse(createdAt) != nil)
            try await client.admin(.post, "apps", body: #"{"app_id": 50}"#).expectError(.conflict, "Conflict")

            let patched = try await client.admin(.patch, "apps/50", body: #"{"name": "Renamed", "webhook_url": null, "concurrency": null}"#)
            #expect(patched.status == .ok)
            #expect(patched.json["name"] == .string("Renamed"))
            #expect(patched.json["webhook_url"] == .string("https://config.example.com/hook"), "cleared: the configuration's again")
            #expect(patched.json["concurrency"] == .int(4), "cleared: the configuration's again")
            #expect(patched.json["callback_url"] == .string("https://admin.example.com/vod"), "untouched")
            #expect(patched.json["created_at"]?.lenientString == createdAt)
            #expect(try await client.admin(.get, "apps/50").json == patched.json)
            let listed = try #require(try await client.admin(.get, "apps").json["apps"]?.arrayValue)
            #expect(listed.contains(patched.json))
        }
    }

    @Test func patchingAnAppKnownOnlyFromItsKeysStoresIt() async throws {
        try await TestServer.testAdmin { _, client in
            let answer = try await client.admin(.patch, "apps/251007502", body: #"{"name": "Default"}"#)
            #expect(answer.status == .ok)
            #expect(answer.json["stored"] == .bool(true))
            #expect(answer.json["name"] == .string("Default"))
        }
    }

    @Test func concurrencySetByAdminHoldsTasksAndSurvivesTheConfiguredLimitBeingApplied() async throws {
        let tenant = Tenant(appId: 251_007_502, subAppId: 251_007_502)
        let server = try await TestServer.withAdmin { configuration in
            configuration.apps = [.init(appId: tenant.appId, subAppId: tenant.subAppId, concurrency: 3)]
            configuration.scheduling.createRateLimit = 0
        }
        let other = try await server.server.runtime.createCredential(tenant: Tenant(appId: 61, subAppId: 61))
        try await server.test { client in
            #expect(try await client.admin(.patch, "apps/\(tenant.appId)", body: #"{"concurrency": 0}"#).json["concurrency"] == .int(0))
            // A restart applies the configured limits, but not over an admin's.
            try await server.server.applyAppLimits()
            let held = try await client.createRESTTask(apiKey: server.credentials.apiKey)
            let later = try await client.createRESTTask(apiKey: other.apiKey)
            // The held task is older: had its app any slot, it would have been claimed before the later one finished.
            _ = try await client.waitForTask(later) { $0["status"] == .string("succeeded") }
            #expect(try await client.admin(.get, "tasks/\(held)").json["status"] == .string("waiting"))
            #expect(try await client.admin(.get, "tasks/\(held)").json["queue_position"] == .int(0))
            // Clearing the override brings back the configured 3.
            #expect(try await client.admin(.patch, "apps/\(tenant.appId)", body: #"{"concurrency": null}"#).json["concurrency"] == .int(3))
            _ = try await client.waitForTask(held) { $0["status"] == .string("succeeded") }
        }
    }

    @Test func createRateSetByAdminLimitsTheAppAtOnce() async throws {
        let server = try await TestServer.withAdmin { $0.scheduling.createRateLimit = 0 }
        try await server.test { client in
            _ = try await client.createRESTTask(apiKey: server.credentials.apiKey)
            _ = try await client.createRESTTask(apiKey: server.credentials.apiKey)
            _ = try await client.admin(.patch, "apps/251007502", body: #"{"create_rate_per_second": 0.001}"#)
            _ = try await client.createRESTTask(apiKey: server.credentials.apiKey)
            await #expect(throws: TestFailure.self) { try await client.createRESTTask(apiKey: server.credentials.apiKey) }
            _ = try await client.admin(.patch, "apps/251007502", body: #"{"create_rate_per_second": null}"#)
            _ = try await client.createRESTTask(apiKey: server.credentials.apiKey)
        }
    }

    @Test func aWebhookURLSetByAdminIsUsedByTheNextTask() async throws {
        try await TestServer.testAdmin { server, client in
            let before = try await client.createRESTTask(apiKey: server.credentials.apiKey)
            let first = try await client.waitForTask(before) { $0["status"] == .string("succeeded") }
            #expect(first["deliveries"]?.arrayValue?.isEmpty == true)
            _ = try await client.admin(.patch, "apps/251007502", body: #"{"webhook_url": "https://hooks.example.com/easel"}"#)
            let after = try await client.createRESTTask(apiKey: server.credentials.apiKey)
            let detail = try await client.waitForTask(after) { $0["status"] == .string("succeeded") }
            let delivery = try #require(detail["deliveries"]?.arrayValue?.first)
            #expect(delivery["url"] == .string("https://hooks.example.com/easel"))
            #expect(delivery["kind"] == .string("rest_webhook"))
            #expect(delivery["task_id"] == .string(after))
        }
    }
}
