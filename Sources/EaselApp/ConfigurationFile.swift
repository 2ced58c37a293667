import EaselStore
import Foundation

/// The JSON configuration file's shape (snake_case keys; every field optional).
struct ConfigurationFile: Decodable {
    struct Server: Decodable { var host: String?; var port: Int?; var publicUrl: String?; var tlsCertificate: String?; var tlsKey: String? }
    struct Security: Decodable { var masterKey: String? }
    struct Store: Decodable { var url: String? }
    struct Scheduling: Decodable {
        var defaultConcurrency: Int?; var globalConcurrency: Int?; var createRateLimit: Double?; var drainTimeoutSeconds: Int?
        var leaseSeconds: Int?; var maxAttempts: Int?
    }
    struct Delivery: Decodable { var allowedHosts: [String]?; var retryDelaysSeconds: [Int]? }
    struct Sandbox: Decodable { var latencyMs: Int? }
    struct Outputs: Decodable {
        var vodTtlSeconds: Int?; var mpsTtlSeconds: Int?; var openaiTtlSeconds: Int?; var taskRetentionSeconds: Int?; var vodTaskRetentionSeconds: Int?
    }
    struct OpenAI: Decodable { var defaultModel: String?; var waitTimeoutSeconds: Int?; var aliases: [String: String]? }

    var server: Server?
    var dataDir: String?
    var security: Security?
    var store: Store?
    var outputStore: EaselConfiguration.OutputStore?
    var scheduling: Scheduling?
    var apps: [EaselConfiguration.AppSettings]?
    var delivery: Delivery?
    var sandbox: Sandbox?
    var outputs: Outputs?
    var openai: OpenAI?
    var logLevel: String?
    var logFormat: String?
    struct Metrics: Decodable { var port: Int?; var requireAdminKey: Bool? }
    var metrics: Metrics?
    var bucketStorage: EaselConfiguration.BucketStorage?
    var upstreams: [EaselConfiguration.Upstream]?
    var compliance: EaselConfiguration.Compliance?
    var promptEnhancer: EaselConfiguration.Endpoint?
    struct Inputs: Decodable { var allowedHosts: [String]? }
    var inputs: Inputs?
    struct Admin: Decodable { var apiKey: String? }
    var admin: Admin?
    struct Usage: Decodable { var prices: [String: UsagePrice]? }
    var usage: Usage?
    var streams: EaselConfiguration.StreamLimits?

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
    mutating func apply(file: ConfigurationFile) throws {
        host = file.server?.host ?? host
        port = file.server?.port ?? port
        publicURL = file.server?.publicUrl ?? publicURL
        tlsCertificate = file.server?.tlsCertificate ?? tlsCertificate
        tlsKey = file.server?.tlsKey ?? tlsKey
        streams.merge(file.streams)
        dataDirectory = file.dataDir ?? dataDirectory
        masterKey = file.security?.masterKey ?? masterKey
        storeURL = file.store?.url ?? storeURL
        outputStore = file.outputStore ?? outputStore
        defaultConcurrency = file.scheduling?.defaultConcurrency ?? defaultConcurrency
        globalConcurrency = file.scheduling?.globalConcurrency ?? globalConcurrency
        createRateLimit = file.scheduling?.createRateLimit ?? createRateLimit
        drainTimeoutSeconds = file.scheduling?.drainTimeoutSeconds ?? drainTimeoutSeconds
        leaseSeconds = file.scheduling?.leaseSeconds ?? leaseSeconds
        maxAttempts = file.scheduling?.maxAttempts ?? maxAttempts
        apps = file.apps ?? apps
        deliveryAllowedHosts = file.delivery?.allowedHosts ?? deliveryAllowedHosts
        deliveryRetryDelays = file.delivery?.retryDelaysSeconds ?? deliveryRetryDelays
        sandboxLatencyMilliseconds = file.sandbox?.latencyMs ?? sandboxLatencyMilliseconds
        vodOutputTTLSeconds = file.outputs?.vodTtlSeconds ?? vodOutputTTLSeconds
        mpsOutputTTLSeconds = file.outputs?.mpsTtlSeconds ?? mpsOutputTTLSeconds
        openAIOutputTTLSeconds = file.outputs?.openaiTtlSeconds ?? openAIOutputTTLSeconds
        taskRetentionSeconds = file.outputs?.taskRetentionSeconds ?? taskRetentionSeconds
        vodTaskRetentionSeconds = file.outputs?.vodTaskRetentionSeconds ?? vodTaskRetentionSeconds
        openAIDefaultModel = file.openai?.defaultModel ?? openAIDefaultModel
        openAIWaitSeconds = file.openai?.waitTimeoutSeconds ?? openAIWaitSeconds
        openAIAliases.merge(file.openai?.aliases ?? [:]) { $1 }
        logLevel = file.logLevel ?? logLevel
        logFormat = file.logFormat ?? logFormat
        metrics.port = file.metrics?.port ?? metrics.port
        metrics.requireAdminKey = file.metrics?.requireAdminKey ?? metrics.requireAdminKey
        bucketStorage = file.bucketStorage ?? bucketStorage
        upstreams = file.upstreams ?? upstreams
        compliance = file.compliance ?? compliance
        promptEnhancer = file.promptEnhancer ?? promptEnhancer
        inputAllowedHosts = file.inputs?.allowedHosts ?? inputAllowedHosts
        adminAPIKey = file.admin?.apiKey ?? adminAPIKey
        usagePrices = file.usage?.prices ?? usagePrices
        try validate()
    }

    mutating func apply(environment: [String: String]) throws {
        func int(_ name: String) throws -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text) else { throw ConfigurationError(description: "\(name) must be an integer, got `\(text)`.") }
            return value
        }
        host = environment["EASEL_HOST"] ?? host
        port = try int("EASEL_PORT") ?? port
        publicURL = environment["EASEL_PUBLIC_URL"] ?? publicURL
        tlsCertificate = environment["EASEL_TLS_CERTIFICATE"].flatMap { $0.isEmpty ? nil : $0 } ?? tlsCertificate
        tlsKey = environment["EASEL_TLS_KEY"].flatMap { $0.isEmpty ? nil : $0 } ?? tlsKey
        try streams.apply(environment: environment)
        dataDirectory = environment["EASEL_DATA_DIR"] ?? dataDirectory
        masterKey = environment["EASEL_MASTER_KEY"] ?? masterKey
        storeURL = environment["EASEL_STORE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? storeURL
        outputStore = try OutputStore.fromEnvironment(environment) ?? outputStore
        defaultConcurrency = try int("EASEL_DEFAULT_CONCURRENCY") ?? defaultConcurrency
        globalConcurrency = try int("EASEL_GLOBAL_CONCURRENCY") ?? globalConcurrency
        if let rate = environment["EASEL_RATE_LIMIT"], !rate.isEmpty {
            guard let value = Double(rate) else { throw ConfigurationError(description: "EASEL_RATE_LIMIT must be a number.") }
            createRateLimit = value
        }
        sandboxLatencyMilliseconds = try int("EASEL_SANDBOX_LATENCY_MS") ?? sandboxLatencyMilliseconds
        openAIWaitSeconds = try int("EASEL_OPENAI_WAIT_SECONDS") ?? openAIWaitSeconds
        openAIDefaultModel = environment["EASEL_OPENAI_DEFAULT_MODEL"] ?? openAIDefaultModel
        logLevel = environment["EASEL_LOG_LEVEL"] ?? logLevel
        logFormat = environment["EASEL_LOG_FORMAT"].flatMap { $0.isEmpty ? nil : $0.lowercased() } ?? logFormat
        try metrics.apply(environment: environment)
        if let hosts = environment["EASEL_INPUT_ALLOWED_HOSTS"] {
            inputAllowedHosts = hosts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let hosts = environment["EASEL_DELIVERY_ALLOWED_HOSTS"] {
            deliveryAllowedHosts = hosts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let delays = environment["EASEL_DELIVERY_RETRY_DELAYS"], !delays.isEmpty {
            let parsed = delays.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parsed.isEmpty, parsed.allSatisfy({ $0 >= 0 }) else {
                throw ConfigurationError(description: "EASEL_DELIVERY_RETRY_DELAYS must be comma-separated seconds.")
            }
            deliveryRetryDelays = parsed
        }
        drainTimeoutSeconds = try int("EASEL_DRAIN_TIMEOUT_SECONDS") ?? drainTimeoutSeconds
        leaseSeconds = try int("EASEL_LEASE_SECONDS") ?? leaseSeconds
        maxAttempts = try int("EASEL_MAX_ATTEMPTS") ?? maxAttempts
        if let key = environment["EASEL_ADMIN_KEY"], !key.isEmpty { adminAPIKey = key }
        if let key = environment["EASEL_BUCKET_ACCESS_KEY_ID"], let secret = environment["EASEL_BUCKET_SECRET_ACCESS_KEY"] {
            bucketStorage = BucketStorage(
                endpoint: environment["EASEL_BUCKET_ENDPOINT"] ?? "https://cos.{region}.myqcloud.com",
                region: environment["EASEL_BUCKET_REGION"] ?? "ap-guangzhou", accessKeyId: key, secretAccessKey: secret,
                addressingStyle: environment["EASEL_BUCKET_ADDRESSING"],
                publicLinks: environment["EASEL_BUCKET_PUBLIC_LINKS"].map { $0 == "1" || $0.lowercased() == "true" })
        }
        try validate()
    }

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
