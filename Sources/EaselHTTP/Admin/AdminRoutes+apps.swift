import EaselCore
import EaselStore
import EaselServices
import Foundation
import Hummingbird

extension AdminRoutes {
    func listApps(_ request: Request) async throws(AdminError) -> AdminReply {
        _ = try AdminQuery(request, allowed: [])
        let snapshot = try await environment.call { try await environment.apps.refreshed() }
        let tenants = try await knownTenants(snapshot).sorted { ($0.appId, $0.subAppId) < ($1.appId, $1.subAppId) }
        return AdminReply(body: .object(["apps": .array(tenants.map { AdminViews.app(snapshot.settings(for: $0)) })]))
    }

    func showApp(_ request: Request, _ parameters: AdminPathParameters) async throws(AdminError) -> AdminReply {
        let tenant = try tenant(request, parameters)
        let snapshot = try await environment.call { try await environment.apps.refreshed() }
        guard try await knownTenants(snapshot).contains(tenant) else { throw unknownApp(tenant) }
        return AdminReply(body: AdminViews.app(snapshot.settings(for: tenant)))
    }

    func createApp(_ request: Request) async throws(AdminError) -> AdminReply {
        _ = try AdminQuery(request, allowed: [])
        let body = try await AdminBody.read(request, allowed: AdminAppChanges.fields.union(["app_id", "sub_app_id"]))
        let appId = try body.required("app_id", AdminField.integer("app_id", in: 1...Int64.max))
        let subAppId = try body.optional("sub_app_id", AdminField.integer("sub_app_id", in: 1...Int64.max)) ?? appId
        let changes = try AdminAppChanges(body, environment: environment)
        let tenant = Tenant(appId: appId, subAppId: subAppId)
        if try await environment.call({ try await environment.store.app(tenant) }) != nil {
            throw .conflict("The app \(appId) (sub-app \(subAppId)) already exists; change it with PATCH \(Self.prefix)/apps/\(appId).")
        }
        let now = Date()
        let record = changes.applied(to: AppRecord(tenant: tenant, createdAt: now, updatedAt: now), at: now)
        try await save(record)
        return AdminReply(body: try await view(tenant), status: .created)
    }

    func patchApp(_ request: Request, _ parameters: AdminPathParameters) async throws(AdminError) -> AdminReply {
        let tenant = try tenant(request, parameters)
        let changes = try AdminAppChanges(try await AdminBody.read(request, allowed: AdminAppChanges.fields), environment: environment)
        let snapshot = try await environment.call { try await environment.apps.refreshed() }
        let now = Date()
        let current: AppRecord
        if let stored = snapshot.stored[tenant] {
            current = stored
        } else {
            guard try await knownTenants(snapshot).contains(tenant) else { throw unknownApp(tenant) }
            current = AppRecord(tenant: tenant, createdAt: now, updatedAt: now)
        }
        try await save(changes.applied(to: current, at: now))
        return AdminReply(body: try await view(tenant))
    }

    // The store sets the queue's limit from the record; without an override the configured one applies again.
    private func save(_ record: AppRecord) async throws(AdminError) {
        defer { environment.apps.invalidate() }
        try await environment.call {
            try await environment.store.saveApp(record)
            if record.concurrency == nil, let configured = environment.apps.configuredApps[record.tenant]?.concurrency {
                try await environment.store.setConcurrency(configured, for: record.tenant)
            }
        }
    }

    private func view(_ tenant: Tenant) async throws(AdminError) -> JSONValue {
        let snapshot = try await environment.call { try await environment.apps.refreshed() }
        return AdminViews.app(snapshot.settings(for: tenant))
    }

    private func tenant(_ request: Request, _ parameters: AdminPathParameters) throws(AdminError) -> Tenant {
        let appId = try parameters.appId()
        let subAppId = try AdminQuery(request, allowed: ["sub_app_id"]).id("sub_app_id") ?? appId
        return Tenant(appId: appId, subAppId: subAppId)
    }

    private func unknownApp(_ tenant: Tenant) -> AdminError {
        .notFound("The app \(tenant.appId) (sub-app \(tenant.subAppId)) is unknown: it has no settings, configuration entry or keys.")
    }

    /// Apps with a record, a configuration entry or credentials.
    func knownTenants(_ snapshot: AppSettingsSnapshot) async throws(AdminError) -> Set<Tenant> {
        let credentials = try await environment.call { try await environment.store.allCredentials() }
        return Set(snapshot.stored.keys).union(snapshot.configured.keys).union(credentials.map(\.tenant))
    }
}
