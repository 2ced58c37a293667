import EaselCore
import EaselStore
import Foundation

/// Every knob of a running Easel, with defaults that work offline on one machine (each scalar's default is its
/// field's initial value, and its `EaselSettings` definition names the field), grouped by the component it configures
/// (`server`, `scheduling`, `delivery`, …; each group's doc comment lists its keys and defaults). Read from an optional
/// JSON file (`--config`), then overridden by `EASEL_*` environment variables, then by command-line flags.
public struct EaselConfiguration: Sendable, Equatable {
    /// Where the main port listens and how clients reach it (`server.*`).
    public var server = ServerSettings()
    /// Bounds of the status streams (`streams.*`).
    public var streams = StreamLimits()
    /// How tasks are admitted, claimed and run (`scheduling.*`).
    public var scheduling = SchedulingSettings()
    /// How callbacks and webhooks are delivered (`delivery.*`).
    public var delivery = DeliverySettings()
    /// How long outputs and finished tasks are kept (`outputs.*`).
    public var outputs = OutputLifetimes()
    /// The OpenAI dialect's defaults (`openai.*`).
    public var openAI = OpenAIDefaults()
    /// What the node logs and how (`log_level`, `log_format`).
    public var logging = LogSettings()
    /// How `/metrics` is served (`metrics.*`, `EASEL_METRICS_*`).
    public var metrics = MetricsSettings()
    /// Where the database, images and master key live (`data_dir`, `EASEL_DATA_DIR`).
    public var dataDirectory = "./easel-data"
    /// The shared store for several nodes (`store.url`, `EASEL_STORE_URL`): `postgres://user:password@host:5432/db`.
    /// Unset: SQLite in the data directory.
    public var storeURL: String?
    /// Shared output storage for several nodes (`output_store`, `EASEL_OUTPUT_*`); unset: `<data_dir>/blobs`.
    public var outputStore: OutputStore?
    /// Key that encrypts secrets and signs URLs (`security.master_key`, `EASEL_MASTER_KEY`); default: generated
    /// once into `<data_dir>/master.key`.
    public var masterKey: String?
    /// Per-app settings (`apps`: `[{"app_id", "sub_app_id", "concurrency", "callback_url", "webhook_url"}]`).
    public var apps: [AppSettings] = []
    /// Upstream channels (`upstreams`): which provider serves which models, in failover order. Empty = sandbox only.
    public var upstreams: [Upstream] = []
    /// Hosts reference-image URLs may point at although private or loopback (`inputs.allowed_hosts`,
    /// `EASEL_INPUT_ALLOWED_HOSTS`).
    public var inputAllowedHosts: [String] = []
    /// Compliance checks for tasks with InputComplianceCheck / OutputComplianceCheck (`compliance`): term/regex rules
    /// and an optional OpenAI-compatible moderation endpoint. Without it, no checks are made.
    public var compliance: Compliance?
    /// OpenAI-compatible chat endpoint that rewrites prompts for EnhancePrompt (`prompt_enhancer`).
    public var promptEnhancer: Endpoint?
    /// S3-compatible storage for users' buckets (`bucket_storage`): needed for MPS `StoreCosParam` and app buckets.
    public var bucketStorage: BucketStorage?
    /// Artificial sandbox latency per task (`sandbox.latency_ms`, `EASEL_SANDBOX_LATENCY_MS`).
    public var sandboxLatencyMilliseconds = 0
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
    public var effectivePublicURL: String { server.effectivePublicURL }
}
