import EaselCore
import Foundation
import Hummingbird

/// The admin API under `/easel/v1/admin` (contract: the admin-api spec): apps, keys, tasks of every app, deliveries,
/// usage and media. Every call needs the admin key; every error uses the admin envelope, unknown routes and methods
/// included (`unmatched(_:)`, called by `UnknownRouteMiddleware`).
struct AdminRoutes: Sendable {
    /// The path prefix.
    static let prefix = "/easel/v1/admin"

    /// Every route: method and path below the prefix.
    static let table: [(method: HTTPRequest.Method, path: String)] = [
        (.get, "apps"), (.post, "apps"), (.get, "apps/:app_id"), (.patch, "apps/:app_id"),
        (.get, "keys"), (.post, "keys"), (.post, "keys/:secret_id/revoke"),
        (.get, "tasks"), (.get, "tasks/:task_id"), (.post, "tasks/:task_id/abort"),
        (.get, "deliveries"), (.post, "deliveries/:id/replay"),
        (.get, "usage"), (.post, "media"),
    ]

    let environment: AdminEnvironment

    func register(on router: Router<EaselRequestContext>) {
        let group = router.group(RouterPath(String(Self.prefix.dropFirst())))
        for route in Self.table {
            group.on(RouterPath(route.path), method: route.method) { request, context in
                await respond(request) { () async throws(AdminError) -> AdminReply in
                    try await perform(route.method, route.path, request: request, context: context)
                }
            }
        }
    }

    private func perform(_ method: HTTPRequest.Method, _ path: String, request: Request,
                         context: EaselRequestContext) async throws(AdminError) -> AdminReply {
        let parameters = AdminPathParameters(context)
        switch (method, path) {
        case (.get, "apps"): return try await listApps(request)
        case (.post, "apps"): return try await createApp(request)
        case (.get, "apps/:app_id"): return try await showApp(request, parameters)
        case (.patch, "apps/:app_id"): return try await patchApp(request, parameters)
        case (.get, "keys"): return try await listKeys(request)
        case (.post, "keys"): return try await createKey(request)
        case (.post, "keys/:secret_id/revoke"): return try await revokeKey(request, parameters)
        case (.get, "tasks"): return try await listTasks(request)
        case (.get, "tasks/:task_id"): return try await showTask(request, parameters)
        case (.post, "tasks/:task_id/abort"): return try await abortTask(request, parameters)
        case (.get, "deliveries"): return try await listDeliveries(request)
        case (.post, "deliveries/:id/replay"): return try await replayDelivery(request, parameters)
        case (.get, "usage"): return try await usage(request)
        case (.post, "media"): return try await addMedia(request)
        default: throw .notFound("There is no admin route \(method.rawValue) \(Self.prefix)/\(path).")
        }
    }

    private func respond(_ request: Request, _ body: () async throws(AdminError) -> AdminReply) async -> Response {
        do {
            try await environment.authenticator.authorize(request)
            let reply = try await body()
            return JSONResponse.make(reply.body, status: reply.status)
        } catch {
            return error.response()
        }
    }

    /// Whether `path` is under the admin prefix.
    static func owns(_ path: String) -> Bool {
        path == prefix || path.hasPrefix(prefix + "/")
    }

    /// The answer to an admin path no route matched: 405 when the path exists with other methods, else 404.
    static func unmatched(_ request: Request) -> Response {
        let path = request.uri.path
        let segments = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: true)
        let methods = table.filter { route in
            let pattern = route.path.split(separator: "/")
            return pattern.count == segments.count
                && zip(pattern, segments).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
        }.map(\.method.rawValue)
        let shown = "\(request.method.rawValue) \(path.prefix(200))"
        guard methods.isEmpty else {
            return AdminError(.methodNotAllowed, "\(shown) is not allowed; use \(methods.joined(separator: " or ")).")
                .response(headers: [.allow: methods.joined(separator: ", ")])
        }
        return AdminError.notFound("There is no admin route \(shown).").response()
    }
}
