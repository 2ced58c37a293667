import EaselCore
import EaselStore
import EaselBlobs
import EaselServices
import Foundation
import Logging

/// What the admin routes need: the server's environment, the store with its admin protocols, the blob store, the
/// installation's keys (to issue credentials), the apps' settings and the price table.
public struct AdminEnvironment: Sendable {
    let server: ServerEnvironment
    let store: any EaselStorage
    let blobs: any BlobStore
    let keys: InstallationKeys
    let apps: AppSettingsDirectory
    let authenticator: AdminAuthenticator
    let callbackPolicy: CallbackURLPolicy
    let hasBucketStorage: Bool
    let prices: [String: UsagePrice]
    let logger: Logger

    /// The store setting that holds the generated admin key's SHA-256 hex.
    public static let adminKeySettingName = AdminAuthenticator.settingName

    /// Creates the environment. `configuredAdminKey` is `admin.api_key`; without one the admin key is the one whose
    /// SHA-256 the store keeps under `adminKeySettingName`.
    public init(server: ServerEnvironment, store: any EaselStorage, blobs: any BlobStore, keys: InstallationKeys,
                configuredAdminKey: String?, callbackPolicy: CallbackURLPolicy, hasBucketStorage: Bool,
                prices: [String: UsagePrice], logger: Logger) {
        self.server = server
        self.store = store
        self.blobs = blobs
        self.keys = keys
        self.apps = server.tasks.appSettings
        self.authenticator = AdminAuthenticator(settings: store, credentials: server.credentials, configuredKey: configuredAdminKey)
        self.callbackPolicy = callbackPolicy
        self.hasBucketStorage = hasBucketStorage
        self.prices = prices
        self.logger = logger
    }

    /// The admin key check, e.g. to guard `/metrics` (`metrics.require_admin_key`).
    public var adminKeyCheck: MetricsAuthorization {
        { [authenticator] request in await authenticator.isAdmin(request) }
    }

    /// Runs a store call; a failure is logged and answered as a bare `InternalError`.
    func call<T>(_ body: () async throws -> T) async throws(AdminError) -> T {
        do {
            return try await body()
        } catch {
            logger.error("admin API: store failure", metadata: ["error": "\(String(reflecting: error).prefix(500))"])
            throw .internalError
        }
    }
}
