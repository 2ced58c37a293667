import Foundation
#if canImport(Glibc)
import Glibc
#endif
import EaselMacros

/// Resolves a host name to numeric addresses for the SSRF check before connecting: a struct of one closure, so tests
/// can answer as a hostile DNS server would. The address that passed the check is the one connected to.
@MemberwiseInit
public struct AddressResolver: Sendable {
    /// A name that did not resolve.
    public struct Failure: Error, Sendable, Equatable {
        /// The host that did not resolve.
        public let host: String
    }

    /// Resolves `host` (for `port`) to numeric IPv4/IPv6 addresses, in the resolver's order.
    public var resolve: @Sendable (_ host: String, _ port: Int) async throws -> [String]

    /// The system resolver (getaddrinfo on a worker thread).
    public static let system = AddressResolver { host, port in
        try await withCheckedThrowingContinuation { continuation in
            // getaddrinfo blocks; keep it off the cooperative pool.
            DispatchQueue.global().async {
                continuation.resume(with: Result { try resolveBlocking(host: host, port: port) })
            }
        }
    }

    private static func resolveBlocking(host: String, port: Int) throws -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw Failure(host: host)
        }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0,
                           NI_NUMERICHOST) == 0 {
                let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
                addresses.append(String(decoding: bytes, as: UTF8.self))
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}
