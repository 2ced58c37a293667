import Crypto
import EaselCore
import Foundation

/// A console sign-in, carried whole in a signed cookie so any node can check it without shared state:
/// `role|app_id|sub_app_id|expires|nonce|secret_id` (base64url) + `.` + HMAC-SHA256 hex under a key derived from the
/// master key. An admin session sees every app; an app session (signed in with that app's API key) sees only its
/// tenant, and names the credential it was made with, so revoking that key ends the session.
struct ConsoleSession: Sendable, Equatable {
    /// Who signed in.
    enum Role: String, Sendable {
        case admin
        case app
    }

    /// The cookie's name.
    static let cookieName = "easel_console"
    /// How long a sign-in lasts.
    static let lifetime: TimeInterval = 8 * 3600

    let role: Role
    /// The app's tenant for an app session, nil for the admin.
    let tenant: Tenant?
    /// Unix seconds after which the cookie is refused.
    let expires: Int64
    /// Random per sign-in, so two sign-ins never share a cookie or a CSRF token.
    let nonce: String
    /// The SecretId of the credential an app session signed in with ("" for the admin).
    let secretId: String

    init(role: Role, tenant: Tenant?, expires: Int64, nonce: String = Self.freshNonce(), secretId: String = "") {
        self.role = role
        self.tenant = tenant
        self.expires = expires
        self.nonce = nonce
        self.secretId = secretId
    }

    static func freshNonce() -> String {
        HexText.of((0..<16).map { _ in UInt8.random(in: 0...255) })
    }

    /// The cookie value, signed with `key`.
    func cookieValue(key: [UInt8]) -> String {
        let payload = "\(role.rawValue)|\(tenant?.appId ?? 0)|\(tenant?.subAppId ?? 0)|\(expires)|\(nonce)|\(secretId)"
        let encoded = Self.base64URL(Data(payload.utf8))
        return encoded + "." + Self.mac(encoded, key: key)
    }

    /// The session in `value` when its signature holds and it has not expired at `now`.
    static func parse(_ value: String, key: [UInt8], now: Date) -> ConsoleSession? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, value.count < 512 else { return nil }
        let encoded = String(parts[0])
        guard constantTimeEqual(mac(encoded, key: key), String(parts[1])),
              let data = unbase64URL(encoded), let payload = String(data: data, encoding: .utf8) else { return nil }
        let fields = payload.split(separator: "|", omittingEmptySubsequences: false)
        guard fields.count == 6, let role = Role(rawValue: String(fields[0])),
              let appId = Int64(fields[1]), let subAppId = Int64(fields[2]), let expires = Int64(fields[3]),
              Double(expires) > now.timeIntervalSince1970 else { return nil }
        return ConsoleSession(role: role, tenant: role == .app ? Tenant(appId: appId, subAppId: subAppId) : nil,
                              expires: expires, nonce: String(fields[4]), secretId: String(fields[5]))
    }

    /// The CSRF token for forms of this session: bound to the exact cookie, so it changes with every sign-in.
    static func csrfToken(cookie: String, key: [UInt8]) -> String {
        String(mac("csrf|" + cookie, key: key).prefix(40))
    }

    static func mac(_ text: String, key: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: key))
        return HexText.of(code)
    }

    // Compares every byte whatever the first difference, so the time taken says nothing about a forged value.
    static func constantTimeEqual(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8), b = Array(right.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func unbase64URL(_ text: String) -> Data? {
        var base = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base.count % 4 != 0 { base += "=" }
        return Data(base64Encoded: base)
    }
}
