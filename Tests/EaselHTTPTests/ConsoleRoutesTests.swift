import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import EaselApp
@testable import EaselHTTP

/// The web console over HTTP: sign-in and its cookie, CSRF refusal, escaping of task content, app-scoped views.
@Suite struct ConsoleRoutesTests {
    /// A console answer: status, headers and the HTML.
    struct Page {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let html: String
    }

    @Test func theAdminKeySignsInWithAStrictHttpOnlyCookieAndAWrongKeyDoesNot() async throws {
        try await TestServer.testAdmin { server, client in
            let signedIn = try await client.form("/console/login", ["key": testAdminKey])
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/console")
            let cookie = try #require(signedIn.headers[.setCookie])
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console"] { #expect(cookie.contains(attribute), "\(cookie)") }
            #expect(!cookie.contains("Secure"), "no TLS, no Secure: \(cookie)")
            #expect(try await client.page("/console", cookie: try Self.cookie(signedIn)).status == .ok)

            for wrong in ["sk-easel-admin-test-wrong", "", server.credentials.secretKey, "x" + server.credentials.apiKey] {
                let refused = try await client.form("/console/login", ["key": wrong])
                #expect(refused.status == .unauthorized, "\(wrong)")
                #expect(refused.headers[.setCookie] == nil, "\(wrong)")
            }
            let anonymous = try await client.page("/console/tasks", cookie: nil)
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/console/login")
            let forged = try await client.page("/console/tasks", cookie: "easel_console=YWRtaW58MHwwfDk5OTk5OTk5OTk.00")
            #expect(forged.status == .seeOther, "a cookie not signed by the server is no session")
        }
    }

    @Test func aFormWithoutTheSessionsCsrfTokenIsRefused() async throws {
        try await TestServer.testAdmin { _, client in
            let cookie = try await client.consoleLogin(testAdminKey)
            let other = try await client.consoleLogin(testAdminKey)
            let page = try await client.page("/console", cookie: cookie)
            let token = try #require(Self.csrf(in: page.html))
            let otherToken = try #require(Self.csrf(in: try await client.page("/console", cookie: other).html))
            #expect(token != otherToken)

            let altered = (token.hasPrefix("0") ? "1" : "0") + token.dropFirst()
            for fields in [[:], ["csrf": ""], ["csrf": altered], ["csrf": String(token.dropLast())], ["csrf": otherToken]] {
                let refused = try await client.form("/console/logout", fields, cookie: cookie)
                #expect(refused.status == .forbidden, "\(fields)")
            }
            let crossSite = try await client.form("/console/logout", ["csrf": token], cookie: cookie, origin: "https://evil.example")
            #expect(crossSite.status == .forbidden)
            let out = try await client.form("/console/logout", ["csrf": token], cookie: cookie)
            #expect(out.status == .seeOther)
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
        }
    }

    @Test func aHostilePromptAndSessionContextAreEscaped() async throws {
        try await TestServer.testAdmin { server, client in
            let id = try await client.createRESTTask(apiKey: server.credentials.apiKey, prompt: "<img src=x onerror=alert(1)>",
                                                     extra: #", "session_context": "</dd><script>alert('ctx')</script>""#)
            _ = try await client.waitForTask(id) { $0["status"] == .string("succeeded") }
            let cookie = try await client.consoleLogin(testAdminKey)
            let detail = try await client.page("/console/tasks/\(id)", cookie: cookie)
            #expect(detail.status == .ok)
            #expect(detail.html.contains("&lt;img src=x onerror=alert(1)&gt;"))
            #expect(detail.html.contains("&lt;/dd&gt;&lt;script&gt;alert(&#39;ctx&#39;)&lt;/script&gt;"))
            #expect(!detail.html.contains("<img src=x"))
            #expect(!detail.html.contains("<script>alert"))
            let policy = try #require(detail.headers[.contentSecurityPolicy])
            #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
            #expect(detail.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            let live = try await client.page("/console/tasks/\(id)/live", cookie: cookie)
            #expect(live.status == .ok && !live.html.contains("<script>"))
        }
    }

    @Test func anAppSessionSeesOnlyItsOwnTasks() async throws {
        let server = try await TestServer.withAdmin { $0.scheduling.createRateLimit = 0 }
        let other = try await server.server.runtime.createCredential(tenant: Tenant(appId: 81, subAppId: 82))
        try await server.test { client in
            let ids = try await client.createSucceededTasks([(other.apiKey, "mine"), (server.credentials.apiKey, "theirs")])
            let (mine, theirs) = (ids[0], ids[1])
            let cookie = try await client.consoleLogin(other.apiKey)
            let list = try await client.page("/console/tasks", cookie: cookie)
            #expect(list.html.contains(mine) && !list.html.contains(theirs))
            let asked = try await client.page("/console/tasks?app_id=\(server.tenant.appId)", cookie: cookie)
            #expect(!asked.html.contains(theirs), "an app session cannot widen its view with app_id")
            #expect(try await client.page("/console/tasks/\(theirs)", cookie: cookie).status == .notFound)
            #expect(try await client.page("/console/tasks/\(theirs)/live", cookie: cookie).status == .notFound)
            #expect(try await client.page("/console/tasks/\(theirs)/events", cookie: cookie).status == .notFound)
            #expect(try await client.page("/console/tasks/\(mine)", cookie: cookie).status == .ok)
            let admin = try await client.consoleLogin(testAdminKey)
            let all = try await client.page("/console/tasks", cookie: admin)
            #expect(all.html.contains(mine) && all.html.contains(theirs))
        }
    }

    static func cookie(_ page: Page) throws -> String {
        let header = try #require(page.headers[.setCookie])
        return String(try #require(header.split(separator: ";").first))
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }
}

extension TestClientProtocol {
    /// Posts `fields` as a form (with the session `cookie`, and an `Origin` when given).
    func form(_ path: String, _ fields: [String: String], cookie: String? = nil,
              origin: String? = nil) async throws -> ConsoleRoutesTests.Page {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let cookie { headers[.cookie] = cookie }
        if let origin { headers[.origin] = origin }
        let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            .joined(separator: "&")
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            ConsoleRoutesTests.Page(status: response.status, headers: response.headers, html: String(buffer: response.body))
        }
    }

    /// Logs in to the console with `key`; returns the session cookie.
    func consoleLogin(_ key: String) async throws -> String {
        try ConsoleRoutesTests.cookie(try await form("/console/login", ["key": key]))
    }

    /// Gets a console page.
    func page(_ path: String, cookie: String?) async throws -> ConsoleRoutesTests.Page {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        return try await execute(uri: path, method: .get, headers: headers) { response in
            ConsoleRoutesTests.Page(status: response.status, headers: response.headers, html: String(buffer: response.body))
        }
    }
}
