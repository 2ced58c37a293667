import EaselMacros

/// A decoded create request: the image request plus the task-level options around it.
@MemberwiseInit
public struct CreateCommand: Sendable, Equatable {
    /// What to generate.
    public var request: ImageRequest
    /// `SubAppId` as sent (VOD), if any.
    public var subAppId: Int64?
    /// `TasksPriority`.
    public var priority: Int = 0
    /// `SessionId`.
    public var sessionId: String?
    /// `SessionContext`.
    public var sessionContext: String?
    /// Webhook URL (REST/OpenAI extension).
    public var callbackURL: String?
}
