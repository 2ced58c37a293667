import EaselCore
import Synchronization

/// A token bucket per tenant for task creation (Tencent: 20 requests per second per API).
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let ratePerSecond: Double
    private let burst: Double
    private let buckets = Mutex<[Tenant: Bucket]>([:])

    init(ratePerSecond: Double) {
        self.ratePerSecond = ratePerSecond
        self.burst = max(ratePerSecond, 1)
    }

    /// Takes one token; false when the tenant is over its rate.
    func admit(_ tenant: Tenant, now: ContinuousClock.Instant = .now) -> Bool {
        guard ratePerSecond > 0 else { return true }
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

import EaselWorker
