import EaselCore
import EaselServices
import EaselStore
import Foundation

/// Admits or refuses a create by its app's `create_rate_per_second`: with a shared store the count is the
/// cluster's, in fixed windows long enough to hold one create (1 s at 20/s, 4 s at 0.25/s); otherwise a token bucket
/// on this node.
struct CreateAdmission: Sendable {
    let appSettings: AppSettingsDirectory
    /// The cluster-wide counter, with a shared store.
    let sharedRates: (any CreateRateCounter)?
    let rateLimiter = RateLimiter()

    /// Takes a create token for `tenant` or throws `RequestLimitExceeded`.
    func admit(_ tenant: Tenant) async throws(APIError) {
        let rate = await appSettings.settings(for: tenant).createRatePerSecond
        guard rate > 0 else { return }
        let admitted: Bool
        if let sharedRates {
            let window = max(1, (1 / rate).rounded(.up))
            let limit = max(1, Int((rate * window).rounded(.down)))
            let start = Int64(Date().timeIntervalSince1970 / window) * Int64(window)
            // A store that cannot count cannot take the task either; its insert reports the failure.
            admitted = ((try? await sharedRates.countCreate(tenant: tenant, windowStart: start)) ?? 0) <= limit
        } else {
            admitted = rateLimiter.admit(tenant, ratePerSecond: rate)
        }
        guard admitted else {
            throw .rateLimited("Too many task creations for this app; the limit is \(rate) per second.")
        }
    }
}
