import EaselMacros

/// One configured way to reach a provider: its kind, base URL, credentials and the catalog models it serves, in
/// the order channels are tried for a model. Credentials never appear in descriptions, logs or errors.
public struct UpstreamChannel: Sendable, Equatable, CustomStringConvertible {
    /// Unique name (`openai-main`).
    public var name: String
    /// Provider kind.
    public var kind: ProviderKind
    /// Base URL (`https://api.openai.com`), overridable so fakes and gateways can stand in.
    public var baseURL: String
    /// API key / token (Bearer, `x-goog-api-key`, …).
    public var apiKey: String?
    /// Access key id / SecretId (Kling AK, Volcengine AK, Tencent SecretId).
    public var accessKey: String?
    /// Secret key (Kling SK, Volcengine SK, Tencent SecretKey).
    public var secretKey: String?
    /// Region, for providers that sign with one.
    public var region: String?
    /// Models served, each optionally with the upstream model id to use.
    public var models: [ModelRoute]
    /// Provider-specific settings as configured (e.g. ComfyUI workflow path, VOD SubAppId); each engine reads them
    /// once, into its own typed options, when it is built (``ChannelOptions``).
    public var options: [String: String]
    /// Per-request timeout.
    public var timeout: Duration
    /// Tasks in flight on this channel at most.
    public var maxConcurrency: Int
    /// Attempts on this channel for a retryable failure before failing over.
    public var maxAttempts: Int

    /// Creates a channel.
    public init(name: String, kind: ProviderKind, baseURL: String, apiKey: String? = nil, accessKey: String? = nil,
                secretKey: String? = nil, region: String? = nil, models: [ModelRoute], options: [String: String] = [:],
                timeout: Duration = .seconds(180), maxConcurrency: Int = 4, maxAttempts: Int = 3) {
        self.name = name
        self.kind = kind
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.region = region
        self.models = models
        self.options = options
        self.timeout = timeout
        self.maxConcurrency = maxConcurrency
        self.maxAttempts = maxAttempts
    }

    public var description: String { "\(name) (\(kind.rawValue) at \(baseURL))" }

    /// The upstream model id configured for a catalog model, if any.
    public func upstreamModel(name: String, version: String) -> String? {
        models.first { $0.matches(name: name, version: version) }?.upstreamModel
    }
}

/// A catalog model a channel serves.
@MemberwiseInit
public struct ModelRoute: Sendable, Equatable, Hashable {
    /// Catalog name (`OG`).
    public var name: String
    /// Catalog version (`image2_high`).
    public var version: String
    /// Upstream model id override (`gpt-image-2`).
    public var upstreamModel: String?

    /// Whether this route is for `name`/`version` (case-insensitive; GEM and GG are one family).
    public func matches(name other: String, version otherVersion: String) -> Bool {
        Self.family(name) == Self.family(other) && version.lowercased() == otherVersion.lowercased()
    }

    static func family(_ name: String) -> String {
        let lowered = name.lowercased()
        return lowered == "gem" ? "gg" : lowered
    }
}
