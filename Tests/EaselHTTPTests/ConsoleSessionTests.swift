import EaselCore
import Foundation
import Testing
@testable import EaselApp
@testable import EaselHTTP

/// The console's stateless session cookie: signed, expiring, bound to its key; CSRF tokens bound to the cookie.
@Suite struct ConsoleSessionTests {
    let key = [UInt8](repeating: 7, count: 32)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func adminAndAppSessionsRoundTrip() {
        let admin = ConsoleSession(role: .admin, tenant: nil, expires: 1_800_000_100)
        #expect(ConsoleSession.parse(admin.cookieValue(key: key), key: key, now: now) == admin)
        let app = ConsoleSession(role: .app, tenant: Tenant(appId: 11, subAppId: 12), expires: 1_800_000_100)
        #expect(ConsoleSession.parse(app.cookieValue(key: key), key: key, now: now) == app)
    }

    @Test func anExpiredSessionIsRefused() {
        let session = ConsoleSession(role: .admin, tenant: nil, expires: 1_800_000_000)
        #expect(ConsoleSession.parse(session.cookieValue(key: key), key: key, now: now) == nil)
        #expect(ConsoleSession.parse(session.cookieValue(key: key), key: key, now: now.addingTimeInterval(-1)) == session)
    }

    @Test func aTamperedOrForeignCookieIsRefused() throws {
        let app = ConsoleSession(role: .app, tenant: Tenant(appId: 11, subAppId: 12), expires: 1_800_000_100)
        let cookie = app.cookieValue(key: key)
        let signature = try #require(cookie.split(separator: ".").last)
        // The same signature over an admin payload, a longer expiry or another app.
        for forged in [ConsoleSession(role: .admin, tenant: nil, expires: 1_800_000_100, nonce: app.nonce),
                       ConsoleSession(role: .app, tenant: Tenant(appId: 11, subAppId: 12), expires: 1_900_000_000, nonce: app.nonce),
                       ConsoleSession(role: .app, tenant: Tenant(appId: 13, subAppId: 12), expires: 1_800_000_100, nonce: app.nonce)] {
            let payload = try #require(forged.cookieValue(key: key).split(separator: ".").first)
            #expect(ConsoleSession.parse("\(payload).\(signature)", key: key, now: now) == nil)
        }
        var flipped = Array(cookie)
        flipped[flipped.count - 1] = flipped.last == "0" ? "1" : "0"
        #expect(ConsoleSession.parse(String(flipped), key: key, now: now) == nil)
        #expect(ConsoleSession.parse(cookie, key: [UInt8](repeating: 8, count: 32), now: now) == nil)
        for garbage in ["", ".", "abc", "a.b.c", String(repeating: "x", count: 600)] {
            #expect(ConsoleSession.parse(garbage, key: key, now: now) == nil)
        }
    }

    @Test func csrfTokensAreBoundToTheCookieAndTheKey() {
        let one = ConsoleSession(role: .admin, tenant: nil, expires: 1_800_000_100).cookieValue(key: key)
        let two = ConsoleSession(role: .admin, tenant: nil, expires: 1_800_000_100).cookieValue(key: key)
        let token = ConsoleSession.csrfToken(cookie: one, key: key)
        #expect(token == ConsoleSession.csrfToken(cookie: one, key: key))
        #expect(token != ConsoleSession.csrfToken(cookie: two, key: key))
        #expect(token != ConsoleSession.csrfToken(cookie: one, key: [UInt8](repeating: 8, count: 32)))
        #expect(token.count == 40)
        #expect(one != two, "every sign-in gets its own cookie")
    }

    @Test func everyTemplateParsesAndFormsAreDecoded() {
        let pages = ConsolePages()
        for name in ConsoleTemplates.all.keys {
            #expect(pages.has(name), "the template \(name) did not parse")
        }
        #expect(pages.render("login", [:]).contains("<form method=\"post\" action=\"/console/login\""))
        let form = ConsoleForm.parse("key=sk-easel-a%2Bb+c&csrf=&empty")
        #expect(form["key"] == "sk-easel-a+b c")
        #expect(form["csrf"] == "")
        #expect(form["empty"] == "")
    }
}
