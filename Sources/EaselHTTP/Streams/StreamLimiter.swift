import EaselCore
import Synchronization

/// Counts the open status streams of each app on this node and refuses one over the limit.
final class StreamLimiter: Sendable {
    private let counts = Mutex<[Tenant: Int]>([:])
    /// Streams per app; 0 = unlimited.
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// A ticket for one more stream of `tenant`, or nil when it already holds `limit`.
    func acquire(_ tenant: Tenant) -> StreamTicket? {
        let admitted = counts.withLock { counts -> Bool in
            let open = counts[tenant, default: 0]
            guard limit == 0 || open < limit else { return false }
            counts[tenant] = open + 1
            return true
        }
        return admitted ? StreamTicket(limiter: self, tenant: tenant) : nil
    }

    /// How many streams `tenant` holds open.
    func open(_ tenant: Tenant) -> Int {
        counts.withLock { $0[tenant, default: 0] }
    }

    func release(_ tenant: Tenant) {
        counts.withLock { counts in
            let left = counts[tenant, default: 1] - 1
            counts[tenant] = left > 0 ? left : nil
        }
    }
}
