import EaselCore
import EaselStore
import Foundation
import Synchronization

/// Keeps recently used credentials in memory so that verifying a signature does not cost a database read and an
/// AES-GCM open per request. Entries live `ttl`; a revocation by another process takes effect within it.
final class CredentialCache: Sendable {
    private struct Entry {
        let credential: Credential?
        let loadedAt: ContinuousClock.Instant
    }

    private let store: any CredentialStore
    private let ttl: Duration
    // Keys are prefixed by kind (`sid:`, `api:`) so one table serves both lookups.
    private let entries = Mutex<[String: Entry]>([:])

    init(store: any CredentialStore, ttl: Duration = .seconds(30)) {
        self.store = store
        self.ttl = ttl
    }

    func credential(secretId: String) async throws -> Credential? {
        try await cached("sid:" + secretId) { try await self.store.credential(secretId: secretId) }
    }

    func credential(apiKey: String) async throws -> Credential? {
        let hash = SHA256Hex.of(apiKey)
        return try await cached("api:" + hash) { try await self.store.credential(apiKeyHash: hash) }
    }

    /// Drops a credential's entries (after it was revoked), so this process stops accepting it at once.
    func forget(_ credential: Credential) {
        entries.withLock { entries in
            entries["sid:" + credential.secretId] = nil
            entries["api:" + credential.apiKeyHash] = nil
        }
    }

    private func cached(_ key: String, load: () async throws -> Credential?) async throws -> Credential? {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), now - entry.loadedAt < ttl { return entry.credential }
        let credential = try await load()
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[key] = Entry(credential: credential, loadedAt: now)
        }
        return credential
    }
}

/// SHA-256 hex of API keys and tokens, which are stored only hashed.
enum SHA256Hex {
    static func of(_ text: String) -> String { SHA256.hex(of: text) }
}

import Crypto
