import EaselCore
import EaselStore
import Foundation
import Hummingbird

extension AdminRoutes {
    func listKeys(_ request: Request) async throws(AdminError) -> AdminReply {
        let appId = try AdminQuery(request, allowed: ["app_id"]).id("app_id")
        let credentials = try await environment.call { try await environment.store.allCredentials() }
            .filter { appId == nil || $0.tenant.appId == appId }
            .sorted { ($0.createdAt, $0.secretId) < ($1.createdAt, $1.secretId) }
        return AdminReply(body: .object(["keys": .array(credentials.map(AdminViews.key))]))
    }

    func createKey(_ request: Request) async throws(AdminError) -> AdminReply {
        _ = try AdminQuery(request, allowed: [])
        let body = try await AdminBody.read(request, allowed: ["app_id", "sub_app_id", "token_ttl_seconds"])
        let appId = try body.required("app_id", AdminField.integer("app_id", in: 1...Int64.max))
        let subAppId = try body.optional("sub_app_id", AdminField.integer("sub_app_id", in: 1...Int64.max)) ?? appId
        let ttl = try body.optional("token_ttl_seconds", AdminField.integer("token_ttl_seconds", in: 1...31_536_000))
        let issued = try await environment.call {
            try await environment.keys.createCredential(tenant: Tenant(appId: appId, subAppId: subAppId),
                                                        tokenTTL: ttl.map { .seconds($0) }, in: environment.store)
        }
        return AdminReply(body: AdminViews.issued(issued), status: .created)
    }

    func revokeKey(_ request: Request, _ parameters: AdminPathParameters) async throws(AdminError) -> AdminReply {
        _ = try AdminQuery(request, allowed: [])
        let secretId = try parameters.identifier("secret_id", maxLength: 64)
        let store = environment.store
        let credential = try await environment.call { try await store.credential(secretId: secretId) }
        guard let credential else { throw .notFound("The key `\(secretId)` does not exist.") }
        _ = try await environment.call { try await store.revokeCredential(secretId: secretId, at: Date()) }
        // This node stops accepting it at once; other nodes when their credential cache expires (30 s).
        environment.server.credentials.forget(credential)
        return AdminReply(body: .object(["secret_id": .string(secretId), "revoked": .bool(true)]))
    }
}
