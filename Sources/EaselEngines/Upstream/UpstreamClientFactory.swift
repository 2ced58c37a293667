import AsyncHTTPClient
import Foundation
import NIOCore

/// Builds the HTTP clients Easel calls out with. The shared client's connection pool is sized from the channels, so
/// a channel's `max_concurrency` is what limits it and not AsyncHTTPClient's default of 8 connections per host.
public enum UpstreamClientFactory {
    /// Connections per host for traffic no channel accounts for: input fetches, result downloads, bucket uploads.
    public static let minimumConnectionsPerHost = 8

    /// How long making one connection may take before the upstream counts as unavailable.
    public static let defaultConnectTimeout: Duration = .seconds(10)

    /// The most tasks that can talk to one host at once: `max_concurrency` summed over the channels of each
    /// scheme+host+port (the pool's key), the largest of those, and never less than `minimum`.
    public static func connectionsPerHost(channels: [UpstreamChannel], minimum: Int = minimumConnectionsPerHost) -> Int {
        var perHost: [String: Int] = [:]
        for channel in channels {
            perHost[poolKey(channel.baseURL), default: 0] += max(channel.maxConcurrency, 1)
        }
        return max(perHost.values.max() ?? 0, minimum, 1)
    }

    /// The shared client's configuration: no redirects (every hop must be checked by the caller), HTTP/2 where the
    /// upstream offers it through ALPN, and a pool as large as the channels allow.
    public static func configuration(channels: [UpstreamChannel], minimumConnectionsPerHost minimum: Int = minimumConnectionsPerHost,
                                     connectTimeout: Duration = defaultConnectTimeout) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: TimeAmount(connectTimeout), read: .seconds(300)))
        configuration.httpVersion = .automatic
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit =
            connectionsPerHost(channels: channels, minimum: minimum)
        return configuration
    }

    /// The shared client on the process-wide event loop group; the caller shuts it down.
    public static func makeClient(channels: [UpstreamChannel], minimumConnectionsPerHost minimum: Int = minimumConnectionsPerHost,
                                  connectTimeout: Duration = defaultConnectTimeout) -> HTTPClient {
        HTTPClient(eventLoopGroupProvider: .singleton,
                   configuration: configuration(channels: channels, minimumConnectionsPerHost: minimum,
                                                connectTimeout: connectTimeout))
    }

    /// The configuration of a short-lived client that connects `host` only to `address` (the one the SSRF check
    /// approved), whatever DNS answers later; TLS still verifies the certificate against `host`.
    public static func pinnedConfiguration(host: String, address: String,
                                           connectTimeout: Duration = defaultConnectTimeout,
                                           readTimeout: Duration = .seconds(60)) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: TimeAmount(connectTimeout),
                                                                    read: TimeAmount(readTimeout)))
        configuration.httpVersion = .automatic
        configuration.dnsOverride = [host: address]
        return configuration
    }

    static func poolKey(_ baseURL: String) -> String {
        guard let components = URLComponents(string: baseURL), let host = components.host?.lowercased() else {
            return baseURL.lowercased()
        }
        let scheme = components.scheme?.lowercased() ?? "http"
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(host):\(port)"
    }
}
