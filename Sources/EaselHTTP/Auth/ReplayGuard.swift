import Foundation
import Synchronization

/// Refuses a signed request seen before within the signature window. Signatures cover the timestamp, so after
/// the window a replay fails the timestamp check instead and the entry can be forgotten.
final class ReplayGuard: Sendable {
    private let seen = Mutex<[String: Int]>([:])
    private let window: Int

    init(window: Int = 300) {
        self.window = window
    }

    /// Records `signature` (valid until `timestamp + window`); false if it was already recorded.
    func admit(signature: String, timestamp: Int, now: Int) -> Bool {
        seen.withLock { seen in
            if seen.count > 50_000 { seen = seen.filter { $0.value >= now } }
            if let expiry = seen[signature], expiry >= now { return false }
            seen[signature] = timestamp + window
            return true
        }
    }
}
