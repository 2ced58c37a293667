import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Resolves a host name to numeric addresses (getaddrinfo on a worker thread), for the SSRF check before connecting.
enum AddressResolver {
    static func resolve(host: String, port: Int) async throws -> [String] {
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
            throw CocoaError(.fileReadUnknown)
        }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0,
                           NI_NUMERICHOST) == 0 {
                addresses.append(String(cString: buffer))
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}
