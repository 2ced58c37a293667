import EaselCore
import Synchronization

/// A token bucket per tenant for task creation (Tencent: 20 requests per second per API).
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex<[Tenant: Bucket]>([:])

    init() {}

    /// Takes one token at `ratePerSecond` (the tenant's current limit; ≤ 0: unlimited); false when the tenant is
    /// over its rate.
    func admit(_ tenant: Tenant, ratePerSecond: Double, now: ContinuousClock.Instant = .now) -> Bool {
        guard ratePerSecond > 0 else { return true }
        let burst = max(ratePerSecond, 1)
        return buckets.withLock { buckets in
            var bucket = buckets[tenant] ?? Bucket(tokens: burst, updated: now)
            let elapsed = (now - bucket.updated).timeInterval
            bucket.tokens = min(burst, bucket.tokens + elapsed * ratePerSecond)
            bucket.updated = now
            let admitted = bucket.tokens >= 1
            if admitted { bucket.tokens -= 1 }
            buckets[tenant] = bucket
            return admitted
        }
    }
}

import EaselServices
