import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The SSRF guard for URLs Easel will call: only http(s), no credentials in the URL, and no loopback, private,
/// link-local (cloud metadata), unique-local or otherwise internal addresses unless a host is explicitly allowed.
/// Callers check the URL at create time and every resolved address again right before connecting.
public struct CallbackURLPolicy: Sendable, Equatable {
    /// Hosts (`name` or `name:port`) exempt from the address checks, e.g. `127.0.0.1` for a local receiver.
    public var allowedHosts: Set<String>

    /// Creates a policy.
    public init(allowedHosts: Set<String> = []) {
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
    }

    /// Checks a URL's form and, for IP literals and `localhost`, its address. `field` names it in errors.
    public func validate(_ text: String, field: String) throws(APIError) {
        guard text.count <= 2048, let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host?.lowercased(), !host.isEmpty
        else { throw .invalidValue("\(field) must be an absolute http or https URL.") }
        guard components.user == nil, components.password == nil else {
            throw .invalidValue("\(field) must not carry credentials.")
        }
        if isAllowed(host: host, port: components.port) { return }
        if host == "localhost" || host.hasSuffix(".localhost") || host.hasSuffix(".internal") {
            throw .invalidValue("\(field) points to an internal host, which is not allowed.")
        }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if let bytes = Self.addressBytes(bare), !Self.isPublic(bytes) {
            throw .invalidValue("\(field) points to a private, loopback or link-local address, which is not allowed.")
        }
    }

    /// Whether `host` (with `port`) is on the allowlist.
    public func isAllowed(host: String, port: Int?) -> Bool {
        let host = host.lowercased()
        return allowedHosts.contains(host) || port.map { allowedHosts.contains("\(host):\($0)") } == true
    }

    /// Whether a resolved numeric address may be connected to.
    public func permits(resolvedAddress address: String) -> Bool {
        guard let bytes = Self.addressBytes(address) else { return false }
        return Self.isPublic(bytes)
    }

    /// The 4 or 16 bytes of a numeric IPv4/IPv6 address.
    static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    static func isPublic(_ bytes: [UInt8]) -> Bool {
        if bytes.count == 16 {
            // IPv4-mapped (::ffff:a.b.c.d) is judged as IPv4.
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
                return isPublic(Array(bytes[12..<16]))
            }
            if bytes.allSatisfy({ $0 == 0 }) { return false }                          // ::
            if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return false } // ::1
            if bytes[0] & 0xfe == 0xfc { return false }                                 // fc00::/7 unique local
            if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 { return false }             // fe80::/10 link local
            if bytes[0] == 0xff { return false }                                        // multicast
            return true
        }
        guard bytes.count == 4 else { return false }
        switch (bytes[0], bytes[1]) {
        case (0, _), (10, _), (127, _): return false
        case (169, 254): return false                        // link local, cloud metadata
        case (172, 16...31), (192, 168): return false
        case (100, 64...127): return false                   // carrier-grade NAT
        case (192, 0) where bytes[2] == 0: return false      // IETF protocol assignments
        case (198, 18...19): return false                    // benchmarking
        case (224...255, _): return false                    // multicast, reserved, broadcast
        default: return true
        }
    }
}
