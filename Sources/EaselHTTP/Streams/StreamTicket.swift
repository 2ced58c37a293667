import EaselCore
import Synchronization

/// One open status stream counted against its app. It is given back once: when the stream ends (`end()`) or, if the
/// stream never ran (the connection was gone before its body was written), when the last reference goes away.
final class StreamTicket: Sendable {
    private let limiter: StreamLimiter
    private let tenant: Tenant
    private let ended = Mutex(false)

    init(limiter: StreamLimiter, tenant: Tenant) {
        self.limiter = limiter
        self.tenant = tenant
    }

    /// Gives the slot back; later calls do nothing.
    func end() {
        let first = ended.withLock { ended in
            defer { ended = true }
            return !ended
        }
        if first { limiter.release(tenant) }
    }

    deinit { end() }
}
