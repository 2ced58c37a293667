/// A decoded create request: the image request plus the task-level options around it.
public struct CreateCommand: Sendable, Equatable {
    /// What to generate.
    public var request: ImageRequest
    /// `SubAppId` as sent (VOD), if any.
    public var subAppId: Int64?
    /// `TasksPriority`.
    public var priority: Int
    /// `SessionId`.
    public var sessionId: String?
    /// `SessionContext`.
    public var sessionContext: String?
    /// Webhook URL (REST/OpenAI extension).
    public var callbackURL: String?

    /// Creates a command.
    public init(request: ImageRequest, subAppId: Int64? = nil, priority: Int = 0, sessionId: String? = nil,
                sessionContext: String? = nil, callbackURL: String? = nil) {
        self.request = request
        self.subAppId = subAppId
        self.priority = priority
        self.sessionId = sessionId
        self.sessionContext = sessionContext
        self.callbackURL = callbackURL
    }
}
