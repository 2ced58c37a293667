import EaselStore
import Foundation

/// The structured sections of the JSON configuration file (snake_case keys; every field optional). Its scalar
/// settings are read through the `ConfigReader` (`EaselSettings`); these are lists and objects it cannot hold.
struct ConfigurationFile: Decodable {
    struct OpenAI: Decodable { var aliases: [String: String]? }
    struct Usage: Decodable { var prices: [String: UsagePrice]? }

    var outputStore: EaselConfiguration.OutputStore?
    var apps: [EaselConfiguration.AppSettings]?
    var openai: OpenAI?
    var bucketStorage: EaselConfiguration.BucketStorage?
    var upstreams: [EaselConfiguration.Upstream]?
    var compliance: EaselConfiguration.Compliance?
    var promptEnhancer: EaselConfiguration.Endpoint?
    var usage: Usage?

    static func decode(_ data: Data) throws -> ConfigurationFile {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ConfigurationFile.self, from: data)
    }
}

/// A configuration value that could not be used.
public struct ConfigurationError: Error, CustomStringConvertible {
    /// What is wrong.
    public let description: String
}

extension EaselConfiguration {
    func validate() throws {
        if let style = bucketStorage?.addressingStyle, style != "path", style != "virtual-hosted" {
            throw ConfigurationError(description: "bucket_storage.addressing_style must be path or virtual-hosted, got `\(style)`.")
        }
        if let url = storeURL, !url.isEmpty, !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            throw ConfigurationError(description: "store.url must be a postgres:// URL (or unset for SQLite).")
        }
        guard (0...65535).contains(port) else { throw ConfigurationError(description: "port must be 0–65535, got \(port).") }
        try validateOperating()
        try streams.validate()
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw ConfigurationError(description: "server.tls_certificate and server.tls_key go together: set both for HTTPS, or neither for HTTP.")
        }
        guard deliveryRetryDelays.allSatisfy({ $0 >= 0 }) else {
            throw ConfigurationError(description: "delivery.retry_delays_seconds (EASEL_DELIVERY_RETRY_DELAYS) must be seconds, none negative.")
        }
        guard sessionDedupWindowSeconds >= 0 else {
            throw ConfigurationError(description: "scheduling.session_dedup_window_seconds must not be negative.")
        }
        guard leaseSeconds >= 3, maxAttempts >= 1 else {
            throw ConfigurationError(description: "scheduling.lease_seconds must be at least 3 and scheduling.max_attempts at least 1.")
        }
        guard defaultConcurrency >= 1, globalConcurrency >= 1 else {
            throw ConfigurationError(description: "concurrency limits must be at least 1.")
        }
        guard sandboxLatencyMilliseconds >= 0, createRateLimit >= 0 else {
            throw ConfigurationError(description: "sandbox latency and rate limit must not be negative.")
        }
        if let key = adminAPIKey, !key.isEmpty, key.count < 16 {
            throw ConfigurationError(description: "admin.api_key must be at least 16 characters long.")
        }
        for (model, price) in usagePrices where [price.perImage, price.perTask].contains(where: { ($0 ?? 0) < 0 || !($0 ?? 0).isFinite }) {
            throw ConfigurationError(description: "usage.prices.\(model) must hold non-negative numbers.")
        }
    }
}
