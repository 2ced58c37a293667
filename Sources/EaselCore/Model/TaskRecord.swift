import Foundation

/// A task as stored: the request, who owns it, where it is in its lifecycle and what it produced.
public struct TaskRecord: Codable, Sendable, Equatable {
    /// The dialect-specific TaskId.
    public var id: TaskID
    /// The owning app.
    public var tenant: Tenant
    /// The dialect it was submitted in.
    public var dialect: Dialect
    /// The validated request.
    public var request: ImageRequest
    /// −10…10, higher runs first.
    public var priority: Int
    /// Dedup key, if any.
    public var sessionId: String?
    /// Opaque context echoed in results and events.
    public var sessionContext: String?
    /// Lifecycle state.
    public var status: TaskStatus
    /// 0…100.
    public var progress: Int
    /// When it was accepted.
    public var createdAt: Date
    /// When a worker started it.
    public var startedAt: Date?
    /// When it reached a terminal state.
    public var finishedAt: Date?
    /// Tencent task-level error code (`ErrCodeExt`), nil on success.
    public var errorCode: ErrorCode?
    /// Error message for failed tasks.
    public var errorMessage: String?
    /// Generated images.
    public var outputs: [TaskOutput]
    /// How many times a worker has started it.
    public var attempts: Int
    /// Facts about how it ran: engine, sandbox, the prompt actually sent, the resume token.
    public var run: TaskRunInfo
    /// Where to POST the result (REST/OpenAI webhooks).
    public var callbackURL: String?
    /// The pixel size each output should have, fixed at validation.
    public var outputSize: PixelSize?
    /// SecretId of the credential that created it (nil for tasks stored before it was recorded).
    public var keyId: String?

    /// The model as usage and the admin API name it: `name-version`, e.g. `GEM-3.0`.
    public var model: String { request.modelName + "-" + request.modelVersion }

    // The record's JSON keeps the name `metadata` for `run`, so records stored before it was typed still decode.
    private enum CodingKeys: String, CodingKey {
        case id, tenant, dialect, request, priority, sessionId, sessionContext, status, progress, createdAt, startedAt,
             finishedAt, errorCode, errorMessage, outputs, attempts, run = "metadata", callbackURL, outputSize, keyId
    }

    /// Creates a new waiting task.
    public init(id: TaskID, tenant: Tenant, dialect: Dialect, request: ImageRequest, priority: Int, sessionId: String?,
                sessionContext: String?, createdAt: Date, callbackURL: String? = nil, keyId: String? = nil) {
        self.id = id
        self.tenant = tenant
        self.dialect = dialect
        self.request = request
        self.priority = priority
        self.sessionId = sessionId
        self.sessionContext = sessionContext
        self.status = .waiting
        self.progress = 0
        self.createdAt = createdAt
        self.errorCode = nil
        self.outputs = []
        self.attempts = 0
        self.run = TaskRunInfo()
        self.callbackURL = callbackURL
        self.keyId = keyId
    }
}
