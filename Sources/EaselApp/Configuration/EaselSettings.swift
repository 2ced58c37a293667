import EaselCore
import EaselHTTP
import EaselWorker

/// Every scalar knob of Easel, each defined once, with the field of ``EaselConfiguration`` it sets (whose initial
/// value is its default); the structured sections of the file (`apps`, `upstreams`, …) are described by `sections`.
/// `EaselConfiguration(reader:)` reads `all`, and a test checks the README's configuration table against `rows`.
public enum EaselSettings {
    /// `server.host`.
    public static let host = Setting("server.host", env: "EASEL_HOST", at: \.server.host, "address to bind (`--host`)")
    /// `server.port`.
    public static let port = Setting("server.port", env: "EASEL_PORT", at: \.server.port, "port (`--port`)")
    /// `server.public_url`.
    public static let publicURL = Setting("server.public_url", env: "EASEL_PUBLIC_URL", at: \.server.publicURL,
                                          documented: "`http://host:port`",
                                          "base of URLs handed to clients (set it behind a proxy)")
    /// `data_dir`.
    public static let dataDirectory = Setting("data_dir", env: "EASEL_DATA_DIR", at: \.dataDirectory,
                                              "database, images, master key (`--data-dir`)")
    /// `security.master_key`.
    public static let masterKey = Setting("security.master_key", env: "EASEL_MASTER_KEY", at: \.masterKey,
                                          documented: "generated `data_dir/master.key`", secret: true,
                                          "encrypts TC3 secret keys at rest and signs file URLs (every node of a cluster needs the same)")
    /// `store.url`.
    public static let storeURL = Setting("store.url", env: "EASEL_STORE_URL", at: \.storeURL,
                                         documented: "SQLite in `data_dir`", secret: true,
                                         "`postgres://user:password@host:5432/db`: the store shared by several nodes")
    /// `scheduling.default_concurrency`.
    public static let defaultConcurrency = Setting("scheduling.default_concurrency", env: "EASEL_DEFAULT_CONCURRENCY", at: \.scheduling.defaultConcurrency,
                                                   "running tasks per app (Tencent's default)")
    /// `scheduling.global_concurrency`.
    public static let globalConcurrency = Setting("scheduling.global_concurrency", env: "EASEL_GLOBAL_CONCURRENCY", at: \.scheduling.globalConcurrency,
                                                  "running tasks on this node")
    /// `scheduling.create_rate_limit`.
    public static let createRateLimit = Setting("scheduling.create_rate_limit", env: "EASEL_RATE_LIMIT", at: \.scheduling.createRateLimit,
                                                "creates per second per app (`RequestLimitExceeded`); 0 = off")
    /// `scheduling.drain_timeout_seconds`.
    public static let drainTimeoutSeconds = Setting("scheduling.drain_timeout_seconds", env: "EASEL_DRAIN_TIMEOUT_SECONDS", at: \.scheduling.drainTimeoutSeconds,
                                                    "after SIGTERM, how long in-flight tasks may finish before they are put back in the queue")
    /// `scheduling.lease_seconds`.
    public static let leaseSeconds = Setting("scheduling.lease_seconds", env: "EASEL_LEASE_SECONDS", at: \.scheduling.leaseSeconds,
                                             "how long a running task's claim lasts without a renewal (the node renews its tasks every third of it) before another node takes it over")
    /// `scheduling.max_attempts`.
    public static let maxAttempts = Setting("scheduling.max_attempts", env: "EASEL_MAX_ATTEMPTS", at: \.scheduling.maxAttempts,
                                            "starts of an interrupted task before it fails with `InternalError`")
    /// `scheduling.session_dedup_window_seconds`.
    public static let sessionDedupWindowSeconds = Setting("scheduling.session_dedup_window_seconds", env: "EASEL_SESSION_DEDUP_WINDOW_SECONDS",
                                                          at: \.scheduling.sessionDedupWindowSeconds,
                                                          "how long a SessionId deduplicates creates (Tencent: 3 days)")
    /// `delivery.allowed_hosts`.
    public static let deliveryAllowedHosts = Setting("delivery.allowed_hosts", env: "EASEL_DELIVERY_ALLOWED_HOSTS", at: \.delivery.allowedHosts,
                                                     "hosts callbacks may reach although private/loopback (comma-separated in env)")
    /// `delivery.retry_delays_seconds`.
    public static let deliveryRetryDelays = Setting("delivery.retry_delays_seconds", env: "EASEL_DELIVERY_RETRY_DELAYS",
                                                    at: \.delivery.retryDelays,
                                                    "retry schedule of failed deliveries (±20% jitter); then dead letter")
    /// `inputs.allowed_hosts`.
    public static let inputAllowedHosts = Setting("inputs.allowed_hosts", env: "EASEL_INPUT_ALLOWED_HOSTS", at: \.inputAllowedHosts,
                                                  "hosts reference-image URLs may point at although private/loopback")
    /// `sandbox.latency_ms`.
    public static let sandboxLatencyMilliseconds = Setting("sandbox.latency_ms", env: "EASEL_SANDBOX_LATENCY_MS", at: \.sandboxLatencyMilliseconds,
                                                           "artificial latency per sandbox task")
    /// `outputs.vod_ttl_seconds`.
    public static let vodOutputTTLSeconds = Setting("outputs.vod_ttl_seconds", env: "EASEL_OUTPUTS_VOD_TTL_SECONDS", at: \.outputs.vodTTLSeconds,
                                                    "temporary VOD/REST outputs (7 days)")
    /// `outputs.mps_ttl_seconds`.
    public static let mpsOutputTTLSeconds = Setting("outputs.mps_ttl_seconds", env: "EASEL_OUTPUTS_MPS_TTL_SECONDS", at: \.outputs.mpsTTLSeconds,
                                                    "temporary MPS outputs (12 hours)")
    /// `outputs.openai_ttl_seconds`.
    public static let openAIOutputTTLSeconds = Setting("outputs.openai_ttl_seconds", env: "EASEL_OUTPUTS_OPENAI_TTL_SECONDS", at: \.outputs.openAITTLSeconds,
                                                       "OpenAI URLs (1 day)")
    /// `outputs.vod_task_retention_seconds`.
    public static let vodTaskRetentionSeconds = Setting("outputs.vod_task_retention_seconds", env: "EASEL_OUTPUTS_VOD_TASK_RETENTION_SECONDS",
                                                        at: \.outputs.vodTaskRetentionSeconds,
                                                        "how long finished VOD/REST tasks stay queryable (Tencent: 3 days)")
    /// `outputs.task_retention_seconds`.
    public static let taskRetentionSeconds = Setting("outputs.task_retention_seconds", env: "EASEL_OUTPUTS_TASK_RETENTION_SECONDS",
                                                     at: \.outputs.taskRetentionSeconds,
                                                     "how long finished MPS/OpenAI tasks stay queryable (7 days)")
    /// `openai.default_model`.
    public static let openAIDefaultModel = Setting("openai.default_model", env: "EASEL_OPENAI_DEFAULT_MODEL", at: \.openAI.defaultModel,
                                                   "model when a request names none")
    /// `openai.wait_timeout_seconds`.
    public static let openAIWaitSeconds = Setting("openai.wait_timeout_seconds", env: "EASEL_OPENAI_WAIT_SECONDS", at: \.openAI.waitSeconds,
                                                  "synchronous wait before `504`")
    /// `log_level`.
    public static let logLevel = Setting("log_level", env: "EASEL_LOG_LEVEL", at: \.logging.level, "trace … error")
    /// `log_format`.
    public static let logFormat = Setting("log_format", env: "EASEL_LOG_FORMAT", at: \.logging.format,
                                          "`json`: one JSON object per line (see Operating Easel)")
    /// `metrics.port`.
    public static let metricsPort = Setting("metrics.port", env: "EASEL_METRICS_PORT", at: \.metrics.port, documented: "main port",
                                            "serve `/metrics` on its own port")
    /// `metrics.require_admin_key`.
    public static let metricsRequireAdminKey = Setting("metrics.require_admin_key", env: "EASEL_METRICS_REQUIRE_ADMIN_KEY", at: \.metrics.requireAdminKey,
                                                       "`/metrics` only with the admin key")
    /// `admin.api_key`.
    public static let adminAPIKey = Setting("admin.api_key", env: "EASEL_ADMIN_KEY", at: \.adminAPIKey,
                                            documented: "generated at first start", secret: true,
                                            "the admin API key (≥ 16 characters)")
    /// `server.tls_certificate`.
    public static let tlsCertificate = Setting("server.tls_certificate", env: "EASEL_TLS_CERTIFICATE", at: \.server.tlsCertificate,
                                               documented: "unset (HTTP)", "PEM certificate chain: serve HTTPS (with `server.tls_key`)")
    /// `server.tls_key`.
    public static let tlsKey = Setting("server.tls_key", env: "EASEL_TLS_KEY", at: \.server.tlsKey,
                                       documented: "unset (HTTP)", "PEM private key of `server.tls_certificate`")
    /// `streams.max_per_app`.
    public static let streamsMaxPerApp = Setting("streams.max_per_app", env: "EASEL_STREAMS_MAX_PER_APP", at: \.streams.maxPerApp,
                                                 "concurrent status streams per app on a node; 0 = no limit")
    /// `streams.heartbeat_seconds`.
    public static let streamsHeartbeatSeconds = Setting("streams.heartbeat_seconds", env: "EASEL_STREAMS_HEARTBEAT_SECONDS",
                                                        at: \.streams.heartbeatSeconds,
                                                        "keep-alive comment on an idle stream")
    /// `streams.max_duration_seconds`.
    public static let streamsMaxDurationSeconds = Setting("streams.max_duration_seconds", env: "EASEL_STREAMS_MAX_DURATION_SECONDS",
                                                          at: \.streams.maxDurationSeconds, "a stream ends after this long")
    /// `streams.poll_interval_ms`.
    public static let streamsPollIntervalMs = Setting("streams.poll_interval_ms", env: "EASEL_STREAMS_POLL_INTERVAL_MS",
                                                      at: \.streams.pollIntervalMs,
                                                      "how often a stream re-reads its task (10–60000)")

    /// The file's structured sections, which the JSON file alone sets (some also from a group of variables).
    public static let sections: [SettingRow] = [
        SettingRow(key: "output_store", environment: outputStoreVariables, defaultValue: "`data_dir/blobs`",
                   meaning: "`{\"bucket\", \"prefix\", \"endpoint\", \"region\", \"access_key_id\", \"secret_access_key\", \"addressing_style\"}`: outputs and media in an S3-compatible bucket that every node reads"),
        SettingRow(key: "apps", environment: [], defaultValue: "`[]`",
                   meaning: "per app: `[{\"app_id\": 1, \"sub_app_id\": 1, \"concurrency\": 4, \"callback_url\": \"…\", \"webhook_url\": \"…\"}]`"),
        SettingRow(key: "openai.aliases", environment: [], defaultValue: "`gpt-image-1`, `dall-e-2/3`",
                   meaning: "extra model ids, e.g. `{\"my-model\": \"Kling-2.1\"}`"),
        SettingRow(key: "usage.prices", environment: [], defaultValue: "`{}`",
                   meaning: "`{\"GEM-3.0\": {\"per_image\": 0.04, \"per_task\": 0}}`: cost in usage reports"),
    ]

    /// Every scalar setting, in the README's order.
    public static let all: [any ConfigurationSetting] = [
        host, port, publicURL, dataDirectory, masterKey, storeURL, defaultConcurrency, globalConcurrency, createRateLimit,
        drainTimeoutSeconds, leaseSeconds, maxAttempts, sessionDedupWindowSeconds, deliveryAllowedHosts, deliveryRetryDelays,
        inputAllowedHosts, sandboxLatencyMilliseconds, vodOutputTTLSeconds, mpsOutputTTLSeconds, openAIOutputTTLSeconds,
        vodTaskRetentionSeconds, taskRetentionSeconds, openAIDefaultModel, openAIWaitSeconds, logLevel, logFormat, metricsPort,
        metricsRequireAdminKey, adminAPIKey, tlsCertificate, tlsKey, streamsMaxPerApp, streamsHeartbeatSeconds,
        streamsMaxDurationSeconds, streamsPollIntervalMs,
    ]

    /// Every scalar setting's row, in the README's order.
    public static var scalarRows: [SettingRow] { all.map(\.row) }

    /// Every row of the README's table.
    public static var rows: [SettingRow] { scalarRows + sections }

    /// The README's configuration table, header included.
    public static var markdownTable: String {
        (["| file key | environment | default | meaning |", "|---|---|---|---|"] + rows.map(\.markdown)).joined(separator: "\n")
    }

    /// The variables that configure `output_store` without a file.
    public static let outputStoreVariables = [
        "EASEL_OUTPUT_BUCKET", "EASEL_OUTPUT_ENDPOINT", "EASEL_OUTPUT_REGION", "EASEL_OUTPUT_ACCESS_KEY_ID",
        "EASEL_OUTPUT_SECRET_ACCESS_KEY", "EASEL_OUTPUT_PREFIX", "EASEL_OUTPUT_ADDRESSING",
    ]

    /// The file keys whose values are secrets (the settings marked `secret`).
    public static var secretKeys: Set<String> { Set(scalarRows.filter(\.isSecret).map(\.key)) }

    /// The environment variables that carry secrets, marked secret in the reader: the secret settings' own, and the
    /// secret keys of the variable groups that stand for `output_store` and `bucket_storage`.
    public static var secretVariables: Set<String> {
        Set(scalarRows.filter(\.isSecret).flatMap(\.environment) + ["EASEL_OUTPUT_SECRET_ACCESS_KEY", "EASEL_BUCKET_SECRET_ACCESS_KEY"])
    }

    /// Each scalar setting's environment variable, by file key.
    static var variableOfKey: [String: String] {
        Dictionary(uniqueKeysWithValues: scalarRows.compactMap { row in row.environment.first.map { (row.key, $0) } })
    }
}
