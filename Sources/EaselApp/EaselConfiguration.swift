import EaselCore
import EaselStore
import Foundation

/// Every knob of a running Easel, with defaults that work offline on one machine (each scalar's default is its
/// `EaselSettings` definition's). Read from an optional JSON file (`--config`), then overridden by `EASEL_*`
/// environment variables, then by command-line flags.
public struct EaselConfiguration: Sendable, Equatable {
    /// Address to bind (`server.host`, `EASEL_HOST`).
    public var host = EaselSettings.host.defaultValue
    /// Port (`server.port`, `EASEL_PORT`).
    public var port = EaselSettings.port.defaultValue
    /// Base of the URLs handed to clients (`server.public_url`, `EASEL_PUBLIC_URL`); default `http://host:port`
    /// (`https://…` with TLS).
    public var publicURL: String?
    /// PEM certificate chain for HTTPS on the main port (`server.tls_certificate`, `EASEL_TLS_CERTIFICATE`), with
    /// `tlsKey`; both unset: plain HTTP.
    public var tlsCertificate: String?
    /// PEM private key of `tlsCertificate` (`server.tls_key`, `EASEL_TLS_KEY`).
    public var tlsKey: String?
    /// Bounds of the status streams (`streams.*`).
    public var streams = StreamLimits()
    /// Where the database, images and master key live (`data_dir`, `EASEL_DATA_DIR`).
    public var dataDirectory = EaselSettings.dataDirectory.defaultValue
    /// The shared store for several nodes (`store.url`, `EASEL_STORE_URL`): `postgres://user:password@host:5432/db`.
    /// Unset: SQLite in the data directory.
    public var storeURL: String?
    /// Shared output storage for several nodes (`output_store`, `EASEL_OUTPUT_*`); unset: `<data_dir>/blobs`.
    public var outputStore: OutputStore?
    /// Key that encrypts secrets and signs URLs (`security.master_key`, `EASEL_MASTER_KEY`); default: generated
    /// once into `<data_dir>/master.key`.
    public var masterKey: String?
    /// Concurrent tasks per app (`scheduling.default_concurrency`, `EASEL_DEFAULT_CONCURRENCY`), Tencent's default 1.
    public var defaultConcurrency = EaselSettings.defaultConcurrency.defaultValue
    /// Concurrent tasks on this node (`scheduling.global_concurrency`, `EASEL_GLOBAL_CONCURRENCY`).
    public var globalConcurrency = EaselSettings.globalConcurrency.defaultValue
    /// Creates per second per app (`scheduling.create_rate_limit`, `EASEL_RATE_LIMIT`); 0 disables.
    public var createRateLimit = EaselSettings.createRateLimit.defaultValue
    /// Per-app settings (`apps`: `[{"app_id", "sub_app_id", "concurrency", "callback_url", "webhook_url"}]`).
    public var apps: [AppSettings] = []
    /// Hosts that callbacks may reach although they are private or loopback (`delivery.allowed_hosts`,
    /// `EASEL_DELIVERY_ALLOWED_HOSTS`, comma-separated), e.g. `127.0.0.1` for a receiver on the same machine.
    public var deliveryAllowedHosts = EaselSettings.deliveryAllowedHosts.defaultValue
    /// Retry schedule of failed deliveries in seconds (`delivery.retry_delays_seconds`); default 10 s … 1 h, 11 attempts.
    public var deliveryRetryDelays = EaselSettings.deliveryRetryDelays.defaultValue
    /// Upstream channels (`upstreams`): which provider serves which models, in failover order. Empty = sandbox only.
    public var upstreams: [Upstream] = []
    /// Hosts reference-image URLs may point at although private or loopback (`inputs.allowed_hosts`,
    /// `EASEL_INPUT_ALLOWED_HOSTS`).
    public var inputAllowedHosts = EaselSettings.inputAllowedHosts.defaultValue
    /// Compliance checks for tasks with InputComplianceCheck / OutputComplianceCheck (`compliance`): term/regex rules
    /// and an optional OpenAI-compatible moderation endpoint. Without it, no checks are made.
    public var compliance: Compliance?
    /// OpenAI-compatible chat endpoint that rewrites prompts for EnhancePrompt (`prompt_enhancer`).
    public var promptEnhancer: Endpoint?
    /// S3-compatible storage for users' buckets (`bucket_storage`): needed for MPS `StoreCosParam` and app buckets.
    public var bucketStorage: BucketStorage?
    /// Seconds in-flight tasks may finish after SIGTERM (`scheduling.drain_timeout_seconds`).
    public var drainTimeoutSeconds = EaselSettings.drainTimeoutSeconds.defaultValue
    /// How long a claim lasts without a heartbeat before another node may take the task over
    /// (`scheduling.lease_seconds`, `EASEL_LEASE_SECONDS`); heartbeats come every third of it.
    public var leaseSeconds = EaselSettings.leaseSeconds.defaultValue
    /// How many times a task is started before an interrupted one fails (`scheduling.max_attempts`, `EASEL_MAX_ATTEMPTS`).
    public var maxAttempts = EaselSettings.maxAttempts.defaultValue
    /// How long a SessionId deduplicates creates (`scheduling.session_dedup_window_seconds`,
    /// `EASEL_SESSION_DEDUP_WINDOW_SECONDS`), default 3 days as Tencent's.
    public var sessionDedupWindowSeconds = EaselSettings.sessionDedupWindowSeconds.defaultValue
    /// Artificial sandbox latency per task (`sandbox.latency_ms`, `EASEL_SANDBOX_LATENCY_MS`).
    public var sandboxLatencyMilliseconds = EaselSettings.sandboxLatencyMilliseconds.defaultValue
    /// Temporary output lifetime for VOD and REST tasks (`outputs.vod_ttl_seconds`), default 7 days.
    public var vodOutputTTLSeconds = EaselSettings.vodOutputTTLSeconds.defaultValue
    /// Temporary output lifetime for MPS tasks (`outputs.mps_ttl_seconds`), default 12 hours.
    public var mpsOutputTTLSeconds = EaselSettings.mpsOutputTTLSeconds.defaultValue
    /// Temporary output lifetime for OpenAI tasks (`outputs.openai_ttl_seconds`), default 1 day.
    public var openAIOutputTTLSeconds = EaselSettings.openAIOutputTTLSeconds.defaultValue
    /// How long finished MPS and OpenAI tasks stay queryable (`outputs.task_retention_seconds`), default 7 days.
    public var taskRetentionSeconds = EaselSettings.taskRetentionSeconds.defaultValue
    /// How long finished VOD and REST tasks stay queryable (`outputs.vod_task_retention_seconds`), default 3 days.
    public var vodTaskRetentionSeconds = EaselSettings.vodTaskRetentionSeconds.defaultValue
    /// OpenAI model used when a request names none (`openai.default_model`, `EASEL_OPENAI_DEFAULT_MODEL`).
    public var openAIDefaultModel = EaselSettings.openAIDefaultModel.defaultValue
    /// Extra OpenAI model ids (`openai.aliases`: `{"gpt-image-1": "OG-image2_medium"}`), added to the built-in ones.
    public var openAIAliases: [String: String] = [:]
    /// How long `/v1/images/generations` waits (`openai.wait_timeout_seconds`, `EASEL_OPENAI_WAIT_SECONDS`).
    public var openAIWaitSeconds = EaselSettings.openAIWaitSeconds.defaultValue
    /// Log level (`log_level`, `EASEL_LOG_LEVEL`): trace, debug, info, notice, warning, error.
    public var logLevel = EaselSettings.logLevel.defaultValue
    /// Log line format (`log_format`, `EASEL_LOG_FORMAT`): `text` (the default, on a terminal or not) or `json`
    /// (one object per line, for log collectors).
    public var logFormat = EaselSettings.logFormat.defaultValue
    /// How `/metrics` is served (`metrics.*`, `EASEL_METRICS_*`).
    public var metrics = MetricsSettings()
    /// The admin API's Bearer key (`admin.api_key`, `EASEL_ADMIN_KEY`); unset: one is generated at the first start,
    /// printed once and kept in the store only as its SHA-256.
    public var adminAPIKey: String?
    /// Prices for `GET /easel/v1/admin/usage` (`usage.prices`: `{"GEM-3.0": {"per_image": 0.04, "per_task": 0}}`).
    public var usagePrices: [String: UsagePrice] = [:]

    /// Settings of one app.
    public struct AppSettings: Sendable, Equatable, Codable {
        /// App id.
        public var appId: Int64
        /// Sub-app id (defaults to the app id).
        public var subAppId: Int64?
        /// Concurrent tasks (default: `default_concurrency`).
        public var concurrency: Int?
        /// VOD event callback URL: `AigcImageTaskComplete` events are POSTed here.
        public var callbackUrl: String?
        /// Default webhook URL for REST and OpenAI tasks that name none.
        public var webhookUrl: String?
        /// A bucket that receives every output of the app.
        public var bucket: String?
        /// Key prefix inside `bucket`.
        public var bucketPrefix: String?
        /// Region of `bucket` (default: the storage's region).
        public var bucketRegion: String?

        /// The tenant these settings are for.
        public var tenant: Tenant { Tenant(appId: appId, subAppId: subAppId ?? appId) }
    }

    /// One upstream channel as configured. Secrets can come from the environment (`api_key_env`, …) so that the
    /// file holds none.
    public struct Upstream: Sendable, Equatable, Codable {
        /// Unique name.
        public var name: String
        /// Provider kind (`openai`, `openai-compatible`, `gemini`, `ark`, `jimeng`, `dashscope`, `hunyuan`, `vidu`,
        /// `kling`, `midjourney`, `vod`, `comfyui`, `sandbox`).
        public var provider: String
        /// Base URL.
        public var baseUrl: String
        /// Models served: `"OG/image2_high"` or `"OG/image2_high=gpt-image-2"` (with an upstream model id).
        public var models: [String]
        /// API key, or the name of the environment variable holding it.
        public var apiKey: String?, apiKeyEnv: String?
        /// Access key / SecretId, or its environment variable.
        public var accessKey: String?, accessKeyEnv: String?
        /// Secret key, or its environment variable.
        public var secretKey: String?, secretKeyEnv: String?
        /// Region.
        public var region: String?
        /// Provider-specific options.
        public var options: [String: String]?
        /// Per-request timeout in seconds (default 180).
        public var timeoutSeconds: Int?
        /// Concurrent tasks on this channel (default 4).
        public var maxConcurrency: Int?
        /// Attempts per task before failing over (default 3).
        public var maxAttempts: Int?
    }

    /// Compliance configuration.
    public struct Compliance: Sendable, Equatable, Codable {
        /// Term and pattern rules: `[{"category": "violence", "terms": ["…"], "patterns": ["…"]}]`.
        public var rules: [Rule]?
        /// External moderation endpoint (OpenAI `/v1/moderations` format).
        public var moderation: Endpoint?
        /// Also check negative prompts (default false: they list what must not appear).
        public var checkNegativePrompt: Bool?
    }

    /// One compliance rule.
    public struct Rule: Sendable, Equatable, Codable {
        /// Category named in refusals.
        public var category: String?
        /// Whole-word terms, case-insensitive.
        public var terms: [String]?
        /// Regular expressions, case-insensitive.
        public var patterns: [String]?
    }

    /// An OpenAI-compatible HTTP endpoint.
    public struct Endpoint: Sendable, Equatable, Codable {
        /// Base URL.
        public var baseUrl: String
        /// API key, or the environment variable holding it.
        public var apiKey: String?, apiKeyEnv: String?
        /// Model id.
        public var model: String?
        /// Let tasks through when the endpoint cannot be reached (default: fail closed).
        public var failOpen: Bool?

        func key(environment: [String: String]) -> String? {
            apiKey ?? apiKeyEnv.flatMap { environment[$0] }
        }
    }

    /// Where users' buckets are reached (`bucket_storage.*`, `EASEL_BUCKET_*`).
    public struct BucketStorage: Sendable, Equatable, Codable {
        /// Endpoint; `{region}` is replaced by the bucket's region. Default Tencent COS: `https://cos.{region}.myqcloud.com`.
        public var endpoint: String
        /// Region used when a bucket names none.
        public var region: String
        /// Access key id (COS: SecretId).
        public var accessKeyId: String
        /// Secret access key (COS: SecretKey).
        public var secretAccessKey: String
        /// `virtual-hosted` (AWS, COS) or `path` (MinIO, moto).
        public var addressingStyle: String?
        /// Hand out plain object URLs (public-read buckets) instead of presigned ones (default false).
        public var publicLinks: Bool?
    }

    /// Defaults.
    public init() {}

    /// The URL clients reach this server at.
    public var effectivePublicURL: String {
        publicURL ?? "\(tlsCertificate == nil ? "http" : "https")://\(host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host):\(port)"
    }
}
