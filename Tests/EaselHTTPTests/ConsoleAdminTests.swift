import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import EaselApp
@testable import EaselHTTP

/// The console's apps, keys and usage screens: forms that go through the admin API, a new secret shown once,
/// revocation, and an app session kept to its own usage and away from app management.
@Suite struct ConsoleAdminTests {
    @Test func appsAndKeysAreCreatedChangedAndRevokedThroughForms() async throws {
        try await TestServer.testAdmin { _, client in
            let cookie = try await client.consoleLogin(testAdminKey)
            let csrf = try #require(ConsoleRoutesTests.csrf(in: try await client.page("/console/apps", cookie: cookie).html))
            let created = try await client.form("/console/apps", ["csrf": csrf, "app_id": "4242", "name": "<b>Bold</b>",
                                                                  "concurrency": "3"], cookie: cookie)
            #expect(created.status == .seeOther)
            let invalid = try await client.form("/console/apps", ["csrf": csrf, "app_id": "4243", "concurrency": "many"], cookie: cookie)
            #expect(invalid.status == .badRequest && invalid.html.contains("concurrency"))
            let changed = try await client.form("/console/apps/4242", ["csrf": csrf, "sub_app_id": "4242", "concurrency": "5"],
                                                cookie: cookie)
            #expect(changed.status == .seeOther)
            let app = try await client.admin(.get, "apps/4242")
            #expect(app.json["concurrency"] == .int(5) && app.json["name"] == .string("<b>Bold</b>"))
            #expect(try await client.page("/console/apps", cookie: cookie).html.contains("&lt;b&gt;Bold&lt;/b&gt;"))

            let issued = try await client.form("/console/keys", ["csrf": csrf, "app_id": "4242"], cookie: cookie)
            #expect(issued.status == .ok && issued.headers[.cacheControl] == "no-store")
            let apiKey = try #require(Self.code("issued-api-key", in: issued.html))
            let secretKey = try #require(Self.code("issued-secret-key", in: issued.html))
            let secretId = try #require(Self.code("issued-secret-id", in: issued.html))
            #expect(apiKey.hasPrefix("sk-easel-"))
            let later = try await client.page("/console/apps", cookie: cookie).html
            #expect(later.contains(secretId) && !later.contains(secretKey) && !later.contains(apiKey), "a secret is shown once")
            let appCookie = try await client.consoleLogin(apiKey)
            #expect(try await client.page("/console/tasks", cookie: appCookie).status == .ok)

            let revoked = try await client.form("/console/keys/\(secretId)/revoke", ["csrf": csrf], cookie: cookie)
            #expect(revoked.status == .seeOther)
            #expect(try await client.form("/console/login", ["key": apiKey]).status == .unauthorized)
            let afterRevoke = try await client.page("/console/tasks", cookie: appCookie)
            #expect(afterRevoke.status == .seeOther, "revoking the key ends the sessions made with it")
        }
    }

    @Test func anAppSessionSeesItsOwnUsageAndCannotManageApps() async throws {
        let server = try await TestServer.withAdmin { $0.scheduling.createRateLimit = 0 }
        let other = try await server.server.runtime.createCredential(tenant: Tenant(appId: 91, subAppId: 92))
        try await server.test { client in
            _ = try await client.createSucceededTasks([(other.apiKey, "mine"), (server.credentials.apiKey, "theirs")])
            let cookie = try await client.consoleLogin(other.apiKey)
            let usage = try await client.page("/console/usage?app_id=\(server.tenant.appId)", cookie: cookie)
            #expect(usage.status == .ok)
            #expect(usage.html.contains("91/92") && !usage.html.contains("\(server.tenant.appId)/"), "\(usage.html)")
            #expect(try await client.page("/console/apps", cookie: cookie).status == .forbidden)
            let csrf = try #require(ConsoleRoutesTests.csrf(in: usage.html))
            #expect(try await client.form("/console/keys", ["csrf": csrf, "app_id": "91"], cookie: cookie).status == .forbidden)

            let admin = try await client.consoleLogin(testAdminKey)
            let all = try await client.page("/console/usage", cookie: admin).html
            #expect(all.contains("91/92") && all.contains("\(server.tenant.appId)/\(server.tenant.subAppId)"))
        }
    }

    static func code(_ id: String, in html: String) -> String? {
        guard let range = html.range(of: "<code id=\"\(id)\">") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "<" })
    }
}
