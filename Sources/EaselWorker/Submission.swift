import EaselCore

/// A create request after dialect decoding: who asks, what, and the task-level options.
public struct Submission: Sendable {
    /// The app the credentials belong to.
    public var tenant: Tenant
    /// The dialect it arrived in.
    public var dialect: Dialect
    /// The decoded request, not yet validated.
    public var request: ImageRequest
    /// `TasksPriority`, −10…10.
    public var priority: Int
    /// Dedup key.
    public var sessionId: String?
    /// Opaque context to echo back.
    public var sessionContext: String?
    /// Webhook URL, for the dialects that have one.
    public var callbackURL: String?

    /// Creates a submission.
    public init(tenant: Tenant, dialect: Dialect, request: ImageRequest, priority: Int = 0, sessionId: String? = nil,
                sessionContext: String? = nil, callbackURL: String? = nil) {
        self.tenant = tenant
        self.dialect = dialect
        self.request = request
        self.priority = priority
        self.sessionId = sessionId
        self.sessionContext = sessionContext
        self.callbackURL = callbackURL
    }
}
