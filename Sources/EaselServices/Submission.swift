import EaselCore
import EaselMacros

/// A create request after dialect decoding: who asks, what, and the task-level options.
@MemberwiseInit
public struct Submission: Sendable {
    /// The app the credentials belong to.
    public var tenant: Tenant
    /// The dialect it arrived in.
    public var dialect: Dialect
    /// The decoded request, not yet validated.
    public var request: ImageRequest
    /// `TasksPriority`, −10…10.
    public var priority: Int = 0
    /// The client's dedup key (`SessionId`): a second create with it inside the window is refused.
    public var sessionId: String?
    /// Opaque context to echo back.
    public var sessionContext: String?
    /// Webhook URL, for the dialects that have one.
    public var callbackURL: String?
    /// A key that makes a retried request return the first request's task instead of creating another (an
    /// OpenAI `Idempotency-Key`, or the signature of a repeated signed Tencent call). Ignored when `sessionId` is set.
    public var idempotencyKey: String?
    /// SecretId of the credential that signed or authorised the request, recorded in the task for usage accounting.
    public var keyId: String?
}
