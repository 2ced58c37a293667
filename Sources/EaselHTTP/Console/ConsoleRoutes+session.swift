import EaselCore
import Foundation
import HTTPTypes
import Hummingbird

extension ConsoleRoutes {
    /// The verified session of `request`, or nil without a valid, unexpired cookie — or, for an app session, once
    /// the key it signed in with is revoked or expired (at once on the node that revoked it, within the credential
    /// cache's 30 s on the others).
    func session(_ request: Request) async -> ConsoleSigned? {
        guard let cookie = request.cookies[ConsoleSession.cookieName]?.value,
              let session = ConsoleSession.parse(cookie, key: sessionKey, now: Date()) else { return nil }
        if session.role == .app {
            guard let credential = try? await environment.server.credentials.credential(secretId: session.secretId),
                  credential.tenant == session.tenant, credential.isUsable(at: Date()) else { return nil }
        }
        return ConsoleSigned(session: session, cookie: cookie, csrf: ConsoleSession.csrfToken(cookie: cookie, key: sessionKey))
    }

    /// Runs `body` for a signed-in request; without a session, a page goes to the sign-in form.
    func signed(_ request: Request, _ body: (ConsoleSigned) async throws(AdminError) -> Response) async -> Response {
        guard let signed = await session(request) else { return Self.redirect("/console/login") }
        do {
            return try await body(signed)
        } catch {
            return errorPage(error, signed: signed)
        }
    }

    /// Runs `body` for a form post of a signed-in session whose CSRF token matches; anything else is refused (403).
    func signedPost(_ request: Request,
                    _ body: (ConsoleSigned, ConsoleForm) async throws(AdminError) -> Response) async -> Response {
        guard let signed = await session(request) else { return errorPage(AdminError(.unauthorized, "Sign in first."), signed: nil) }
        let form = await ConsoleForm.read(request)
        guard Self.sameOrigin(request), let token = form["csrf"],
              ConsoleSession.constantTimeEqual(token, signed.csrf) else {
            return errorPage(AdminError(.forbidden, "The form's CSRF token is missing or wrong; reload the page and retry."),
                             signed: signed)
        }
        do {
            return try await body(signed, form)
        } catch {
            return errorPage(error, signed: signed)
        }
    }

    func loginPage(_ request: Request, failed: Bool) -> Response {
        page("login", failed ? ["failed": true] : [:], signed: nil, status: failed ? .unauthorized : .ok)
    }

    /// `POST /console/login`: the admin key, or an app's API key (`sk-easel-…`) for a view of that app only.
    func login(_ request: Request) async -> Response {
        guard Self.sameOrigin(request) else { return loginPage(request, failed: true) }
        let key = (await ConsoleForm.read(request))["key"]?.trimmingWhitespace() ?? ""
        guard !key.isEmpty, key.count <= 256 else { return loginPage(request, failed: true) }
        let probe = Request(head: HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/console",
                                              headerFields: [.authorization: "Bearer \(key)"]), body: .init(buffer: .init()))
        let expires = Int64(Date().timeIntervalSince1970 + ConsoleSession.lifetime)
        let session: ConsoleSession
        if await environment.authenticator.isAdmin(probe) {
            session = ConsoleSession(role: .admin, tenant: nil, expires: expires)
        } else if key.hasPrefix("sk-easel-"), let credential = try? await environment.server.credentials.credential(apiKey: key),
                  credential.revokedAt == nil, credential.expiresAt.map({ $0 > Date() }) ?? true {
            session = ConsoleSession(role: .app, tenant: credential.tenant, expires: expires, secretId: credential.secretId)
        } else {
            return loginPage(request, failed: true)
        }
        var response = Self.redirect("/console")
        response.headers[.setCookie] = cookieHeader(session.cookieValue(key: sessionKey), maxAge: Int(ConsoleSession.lifetime))
        return response
    }

    func logout() -> Response {
        var response = Self.redirect("/console/login")
        response.headers[.setCookie] = cookieHeader("", maxAge: 0)
        return response
    }

    func cookieHeader(_ value: String, maxAge: Int) -> String {
        "\(ConsoleSession.cookieName)=\(value); Path=/console; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
            + (secureCookies ? "; Secure" : "")
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    // A browser names the page a form came from; a post from another site is refused even before the token check.
    static func sameOrigin(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin] else { return true }
        guard let host = request.head.authority,
              let originHost = URLComponents(string: origin)?.host else { return false }
        let port = URLComponents(string: origin)?.port.map { ":\($0)" } ?? ""
        return originHost + port == host
    }
}
