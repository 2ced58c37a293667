import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import EaselApp
@testable import EaselHTTP
import EaselTestSupport

/// App settings live in the store: a change made through one server applies on every server of the same store
/// within the settings cache's second, without a restart.
@Suite struct AdminMultiServerTests {
    @Test func anAppChangedThroughOneServerTakesEffectOnAnother() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("easel-admin-\(UUID().uuidString)").path
        let first = try await TestServer.withAdmin { $0.dataDirectory = directory; $0.scheduling.createRateLimit = 0 }
        let second = try await TestServer.withAdmin { $0.dataDirectory = directory; $0.scheduling.createRateLimit = 0 }
        let tenant = second.tenant
        let secondApplication = Application(router: second.server.router())
        try await first.test { firstClient in
            try await secondApplication.test(.router) { secondClient in
                _ = try await secondClient.createRESTTask(apiKey: second.credentials.apiKey)
                _ = try await secondClient.createRESTTask(apiKey: second.credentials.apiKey)
                let patched = try await firstClient.admin(.patch, "apps/\(tenant.appId)",
                                                          body: #"{"create_rate_per_second": 0.001, "webhook_url": "https://hooks.example.com/n2"}"#)
                #expect(patched.status == .ok)
                // The second server's cached settings expire within a second: then its creates are limited.
                try await waitUntil(timeout: .seconds(10), "the second server to apply the new create rate") {
                    do {
                        _ = try await secondClient.createRESTTask(apiKey: second.credentials.apiKey)
                        return false
                    } catch is TestFailure {
                        return true
                    }
                }
                let settings = await second.server.environment.tasks.appSettings.settings(for: tenant)
                #expect(settings.webhookURL == "https://hooks.example.com/n2")
                let shown = try await secondClient.admin(.get, "apps/\(tenant.appId)")
                #expect(shown.json["create_rate_per_second"] == .double(0.001))
                #expect(shown.json["webhook_url"] == .string("https://hooks.example.com/n2"))
            }
        }
    }
}
