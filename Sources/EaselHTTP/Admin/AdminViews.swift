import EaselCore
import EaselStore
import EaselServices
import Foundation

/// The JSON shapes of the admin API: snake_case, ISO-8601 UTC times, null for unset fields.
enum AdminViews {
    static func time(_ date: Date?) -> JSONValue { date.map { .string(ISOTime.string($0)) } ?? .null }
    static func string(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
    static func int(_ value: Int) -> JSONValue { .int(Int64(value)) }

    /// An app with its effective settings (the store's record over the configuration over the defaults).
    static func app(_ app: EffectiveAppSettings) -> JSONValue {
        .object([
            "app_id": .int(app.tenant.appId), "sub_app_id": .int(app.tenant.subAppId), "name": string(app.name),
            "concurrency": int(app.concurrency), "create_rate_per_second": .double(app.createRatePerSecond),
            "callback_url": string(app.callbackURL), "webhook_url": string(app.webhookURL), "bucket": string(app.bucket),
            "bucket_region": string(app.bucketRegion), "bucket_prefix": string(app.bucketPrefix),
            "created_at": time(app.record?.createdAt), "updated_at": time(app.record?.updatedAt),
            "stored": .bool(app.record != nil),
        ])
    }

    /// A credential, without any secret.
    static func key(_ credential: Credential) -> JSONValue {
        .object([
            "secret_id": .string(credential.secretId), "app_id": .int(credential.tenant.appId),
            "sub_app_id": .int(credential.tenant.subAppId), "created_at": time(credential.createdAt),
            "expires_at": time(credential.expiresAt), "revoked_at": time(credential.revokedAt),
            "temporary": .bool(credential.tokenHash != nil),
        ])
    }

    /// A credential as issued, shown once.
    static func issued(_ issued: IssuedCredential) -> JSONValue {
        .object([
            "secret_id": .string(issued.secretId), "secret_key": .string(issued.secretKey), "api_key": .string(issued.apiKey),
            "token": string(issued.token), "expires_at": time(issued.expiresAt), "app_id": .int(issued.tenant.appId),
            "sub_app_id": .int(issued.tenant.subAppId), "webhook_secret": .string(issued.webhookSecret),
        ])
    }

    /// A task's summary.
    static func summary(_ task: TaskRecord) -> [String: JSONValue] {
        [
            "task_id": .string(task.id.rawValue), "app_id": .int(task.tenant.appId), "sub_app_id": .int(task.tenant.subAppId),
            "dialect": .string(task.dialect.rawValue), "model": .string(task.model), "status": .string(task.status.rawValue),
            "progress": int(task.progress), "priority": int(task.priority), "session_id": string(task.sessionId),
            "created_at": time(task.createdAt), "started_at": time(task.startedAt), "finished_at": time(task.finishedAt),
            "error_code": string(task.errorCode?.rawValue), "error_message": string(task.errorMessage),
            "output_count": int(task.outputs.count), "attempts": int(task.attempts),
        ]
    }

    /// The validated request, snake_case.
    static func request(_ request: ImageRequest) -> JSONValue {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        guard let data = try? encoder.encode(request), let value = try? JSONValue.parse(data) else { return .null }
        return value
    }

    /// A delivery.
    static func delivery(_ delivery: Delivery) -> JSONValue {
        .object([
            "id": .string(delivery.id), "task_id": .string(delivery.taskId.rawValue), "app_id": .int(delivery.tenant.appId),
            "sub_app_id": .int(delivery.tenant.subAppId), "kind": .string(delivery.format.rawValue), "url": .string(delivery.url),
            "status": .string(delivery.status.rawValue), "attempts": int(delivery.attempts),
            "next_attempt_at": time(delivery.nextAttemptAt), "last_error": string(delivery.lastError),
            "created_at": time(delivery.createdAt),
        ])
    }
}
