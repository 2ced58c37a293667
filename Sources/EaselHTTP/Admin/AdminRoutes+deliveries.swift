import EaselCore
import EaselStore
import Foundation
import Hummingbird

extension AdminRoutes {
    func listDeliveries(_ request: Request) async throws(AdminError) -> AdminReply {
        let query = try AdminQuery(request, allowed: ["app_id", "status", "limit"])
        let appId = try query.id("app_id")
        let limit = Int(try query.integer("limit", in: 1...500) ?? 100)
        var status: Delivery.Status?
        if let text = try query.string("status", maxLength: 40) {
            guard let parsed = Delivery.Status(rawValue: text) else {
                throw .invalid("status must be pending, delivered or dead, got `\(text)`.")
            }
            status = parsed
        }
        let store = environment.store
        let deliveries: [Delivery]
        if let appId {
            // Every delivery belongs to a task, and every task to a tenant with credentials: reading each of the app's
            // tenants finds all of them.
            let snapshot = try await environment.call { try await environment.apps.refreshed() }
            let tenants = try await knownTenants(snapshot).filter { $0.appId == appId }
            var found: [Delivery] = []
            for tenant in tenants {
                found += try await environment.call { [status] in try await store.deliveries(tenant: tenant, status: status, limit: limit) }
            }
            deliveries = Array(found.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }.prefix(limit))
        } else {
            deliveries = try await environment.call { [status] in try await store.deliveries(tenant: nil, status: status, limit: limit) }
        }
        return AdminReply(body: .object(["deliveries": .array(deliveries.map(AdminViews.delivery))]))
    }

    func replayDelivery(_ request: Request, _ parameters: AdminPathParameters) async throws(AdminError) -> AdminReply {
        _ = try AdminQuery(request, allowed: [])
        let id = try parameters.identifier("id")
        let replayed = try await environment.call { try await environment.store.replayDelivery(id: id, tenant: nil, now: Date()) }
        guard replayed else { throw .notFound("The delivery `\(id)` does not exist.") }
        environment.server.wakeDeliveries()
        return AdminReply(body: .object(["id": .string(id), "replayed": .bool(true)]))
    }
}
