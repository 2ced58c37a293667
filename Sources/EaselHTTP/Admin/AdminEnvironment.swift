import EaselCore
import EaselStore
import EaselWorker
import Foundation
import Logging

/// What the admin routes need: the server's environment, the store with its admin protocols, the installation (to
/// issue credentials), the apps' settings and the price table.
struct AdminEnvironment: Sendable {
    let server: ServerEnvironment
    let runtime: EaselRuntime
    let apps: AppSettingsDirectory
    let authenticator: AdminAuthenticator
    let callbackPolicy: CallbackURLPolicy
    let hasBucketStorage: Bool
    let prices: [String: EaselConfiguration.UsagePrice]
    let logger: Logger

    var store: any EaselStorage { runtime.store }

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
