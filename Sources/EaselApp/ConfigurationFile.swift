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
        try server.validate()
        try scheduling.validate()
        try delivery.validate()
        try logging.validate()
        try validateMetrics()
        try streams.validate()
        guard sandboxLatencyMilliseconds >= 0 else {
            throw ConfigurationError(description: "sandbox.latency_ms must not be negative.")
        }
        if let key = adminAPIKey, !key.isEmpty, key.count < 16 {
            throw ConfigurationError(description: "admin.api_key must be at least 16 characters long.")
        }
        for (model, price) in usagePrices where [price.perImage, price.perTask].contains(where: { ($0 ?? 0) < 0 || !($0 ?? 0).isFinite }) {
            throw ConfigurationError(description: "usage.prices.\(model) must hold non-negative numbers.")
        }
    }
}
