import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The web console under `/console`: server-rendered pages (Mustache, HTML-escaped), a little JavaScript and CSS
/// served from `/console/static/…`, live updates over Server-Sent Events. It reads through the admin API's queries and
/// views (`AdminRoutes`), so both show the same data; an app session's reads are narrowed to its tenant.
struct ConsoleRoutes: Sendable {
    /// The path prefix.
    static let prefix = "/console"

    let environment: AdminEnvironment
    /// Whether the server speaks TLS: then the session cookie is `Secure`.
    let secureCookies: Bool
    let pages: ConsolePages
    let sessionKey: [UInt8]

    init(environment: AdminEnvironment, secureCookies: Bool) {
        self.environment = environment
        self.secureCookies = secureCookies
        pages = ConsolePages()
        sessionKey = environment.keys.secrets.derivedKey(purpose: "console-session")
    }

    var admin: AdminRoutes { AdminRoutes(environment: environment) }

    /// Whether `path` is the console's (its form posts are not Tencent v1 calls).
    static func owns(_ path: String) -> Bool {
        path == prefix || path.hasPrefix(prefix + "/")
    }

    func register(on router: Router<EaselRequestContext>) {
        let group = router.group("console")
        group.get("static/:file") { _, context in ConsoleAssets.response(context.parameters.get("file") ?? "") }
        group.get("login") { request, _ in loginPage(request, failed: false) }
        group.post("login") { request, _ in await login(request) }
        group.post("logout") { request, _ in await signedPost(request) { _, _ throws(AdminError) in logout() } }
        group.get { request, _ in await signed(request) { signed throws(AdminError) in try await overview(signed, fragment: false) } }
        group.get("summary") { request, _ in
            await signed(request) { signed throws(AdminError) in try await overview(signed, fragment: true) }
        }
        group.get("events") { request, context in
            await signed(request) { signed throws(AdminError) in try listStream(request, signed, context: context) }
        }
        group.get("tasks") { request, _ in await signed(request) { signed throws(AdminError) in try await tasks(request, signed) } }
        group.get("rows") { request, _ in
            await signed(request) { signed throws(AdminError) in try await taskRows(request, signed) }
        }
        group.get("tasks/:task_id") { request, context in
            await signed(request) { signed throws(AdminError) in try await taskPage(request, context, signed, fragment: false) }
        }
        group.get("tasks/:task_id/live") { request, context in
            await signed(request) { signed throws(AdminError) in try await taskPage(request, context, signed, fragment: true) }
        }
        group.get("tasks/:task_id/events") { request, context in
            await signed(request) { signed throws(AdminError) in try await taskStream(request, context, signed) }
        }
        group.post("tasks/:task_id/abort") { request, context in
            await signedPost(request) { signed, _ throws(AdminError) in try await abort(request, context, signed) }
        }
        group.get("deliveries") { request, _ in
            await signed(request) { signed throws(AdminError) in try await deliveries(request, signed) }
        }
        group.get("usage") { request, _ in await signed(request) { signed throws(AdminError) in try await usage(request, signed) } }
        group.get("apps") { request, _ in await signed(request) { signed throws(AdminError) in try await apps(signed) } }
        group.post("apps") { request, _ in
            await signedPost(request) { signed, form throws(AdminError) in try await createApp(signed, form) }
        }
        group.post("apps/:app_id") { request, context in
            await signedPost(request) { signed, form throws(AdminError) in try await changeApp(signed, form, context) }
        }
        group.post("keys") { request, _ in
            await signedPost(request) { signed, form throws(AdminError) in try await createKey(signed, form) }
        }
        group.post("keys/:secret_id/revoke") { request, context in
            await signedPost(request) { signed, _ throws(AdminError) in try await revokeKey(signed, context) }
        }
        group.post("deliveries/:id/replay") { request, context in
            await signedPost(request) { signed, _ throws(AdminError) in try await replay(context, signed) }
        }
    }

    /// Renders `template` with `values` (plus the session's CSRF token and role) as a full page.
    func page(_ template: String, _ values: [String: Any], signed: ConsoleSigned?, status: HTTPResponse.Status = .ok) -> Response {
        var values = values
        if let signed {
            values["csrf"] = signed.csrf
            values["is_admin"] = signed.session.role == .admin
            values["scope"] = signed.session.tenant.map { "app \($0.appId)/\($0.subAppId)" } ?? "admin"
        }
        return ConsolePages.html(pages.render(template, values), status: status)
    }

    /// An error as a page with the error's status.
    func errorPage(_ error: AdminError, signed: ConsoleSigned?) -> Response {
        page("error", ["code": error.code.rawValue, "message": error.message], signed: signed, status: error.code.status)
    }

    /// A GET for `path` with `query`, as the admin routes read it.
    static func adminRequest(_ path: String, query: [(String, String)]) -> Request {
        var components = URLComponents()
        components.path = path
        components.queryItems = query.isEmpty ? nil : query.map { URLQueryItem(name: $0.0, value: $0.1) }
        return adminRequest(components.percentEncodedPath + (components.percentEncodedQuery.map { "?" + $0 } ?? ""),
                            method: .get, body: "")
    }

    /// A request with a JSON `body`, as the admin routes read it; `pathAndQuery` is already percent-encoded.
    static func adminRequest(_ pathAndQuery: String, method: HTTPRequest.Method, body: String) -> Request {
        let head = HTTPRequest(method: method, scheme: nil, authority: nil, path: pathAndQuery,
                               headerFields: body.isEmpty ? [:] : [.contentType: "application/json"])
        return Request(head: head, body: .init(buffer: ByteBuffer(string: body)))
    }
}
