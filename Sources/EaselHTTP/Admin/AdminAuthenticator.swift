import Crypto
import EaselCore
import EaselStore
import Foundation
import Hummingbird
import Synchronization

/// Checks the admin key: `Authorization: Bearer <admin key>`, compared in constant time with the configured key
/// (`admin.api_key`) or, without one, with the SHA-256 kept in the store setting `admin_key_sha256`. App credentials
/// (their Bearer API keys, TC3 signatures) never pass. Other routes (e.g. `/metrics`) can use `isAdmin(_:)`.
final class AdminAuthenticator: Sendable {
    /// The store setting that holds the generated admin key's SHA-256 hex.
    static let settingName = "admin_key_sha256"

    private struct Cached {
        let hash: String?
        let loadedAt: ContinuousClock.Instant
    }

    private let settings: any SettingsStore
    private let credentials: CredentialCache
    private let configuredHash: String?
    private let cacheLifetime: Duration
    private let cached = Mutex<Cached?>(nil)

    init(settings: any SettingsStore, credentials: CredentialCache, configuredKey: String?,
         cacheLifetime: Duration = .seconds(1)) {
        self.settings = settings
        self.credentials = credentials
        self.configuredHash = configuredKey.flatMap { $0.isEmpty ? nil : SHA256.hex(of: $0) }
        self.cacheLifetime = cacheLifetime
    }

    /// Whether the request carries the admin key.
    func isAdmin(_ request: Request) async -> Bool {
        do {
            try await authorize(request)
            return true
        } catch {
            return false
        }
    }

    /// Passes for the admin key; 401 `Unauthorized` for a missing or wrong key, 403 `Forbidden` for app credentials.
    func authorize(_ request: Request) async throws(AdminError) {
        guard let header = request.headers[.authorization]?.trimmingWhitespace(), !header.isEmpty else {
            throw AdminError(.unauthorized, "The admin API needs `Authorization: Bearer <admin key>`.")
        }
        if header.hasPrefix(TC3Authorization.algorithm) {
            throw AdminError(.forbidden, "Signed app calls cannot use the admin API; send the admin key as a Bearer token.")
        }
        guard header.lowercased().hasPrefix("bearer ") else {
            throw AdminError(.unauthorized, "The admin API needs `Authorization: Bearer <admin key>`.")
        }
        let key = header.dropFirst("bearer ".count).trimmingWhitespace()
        if let expected = try await expectedHash(), Self.constantTimeEqual(SHA256.hex(of: key), expected) { return }
        if key.hasPrefix("sk-easel-"), (try? await credentials.credential(apiKey: key)) != nil {
            throw AdminError(.forbidden, "App API keys cannot use the admin API; use the admin key.")
        }
        throw AdminError(.unauthorized, "The admin key is wrong.")
    }

    private func expectedHash() async throws(AdminError) -> String? {
        if let configuredHash { return configuredHash }
        let now = ContinuousClock.now
        if let entry = cached.withLock({ $0 }), now - entry.loadedAt < cacheLifetime { return entry.hash }
        let hash: String?
        do {
            hash = try await settings.setting(Self.settingName)
        } catch {
            throw .internalError
        }
        cached.withLock { $0 = Cached(hash: hash, loadedAt: now) }
        return hash
    }

    // Both are SHA-256 hex digests; the loop runs over every byte whatever the first difference.
    static func constantTimeEqual(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8), b = Array(right.lowercased().utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
