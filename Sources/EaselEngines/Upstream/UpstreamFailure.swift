/// Turns upstream HTTP failures into task errors, per providers.md §12: bad request → InvalidParameterValue;
/// auth/config → InternalError (never leaked); billing → ResourceInsufficient; rate limits → RequestLimitExceeded
/// (retryable, honouring Retry-After); 5xx and unreachable upstreams → InternalError (retryable); timeouts → TaskTimeout
/// (retryable).
public enum UpstreamFailure {
    /// The error for a non-success HTTP status. `detail` is the provider's message, shown only for client errors.
    public static func classify(status: Int, retryAfter: Duration? = nil, detail: String? = nil) -> EngineError {
        switch status {
        case 400, 422:
            return EngineError(code: "InvalidParameterValue",
                               message: "The upstream refused the request" + (detail.map { ": \($0)" } ?? "."), isRetryable: false)
        case 401, 403:
            return EngineError(code: "InternalError", message: "The upstream rejected this server's credentials.",
                               isRetryable: false)
        case 402:
            return EngineError(code: "ResourceInsufficient", message: "The upstream account has no quota left.", isRetryable: false)
        case 404:
            return EngineError(code: "InternalError", message: "The upstream does not know this model or task.", isRetryable: false)
        case 408, 504:
            return EngineError(code: "TaskTimeout", message: "The upstream timed out.", isRetryable: true, retryAfter: retryAfter)
        case 429:
            return EngineError(code: "RequestLimitExceeded", message: "The upstream is rate limiting requests.",
                               isRetryable: true, retryAfter: retryAfter)
        case 500...599:
            return EngineError(code: "InternalError", message: "The upstream failed (HTTP \(status)).", isRetryable: true,
                               retryAfter: retryAfter)
        default:
            return EngineError(code: "InternalError", message: "The upstream answered HTTP \(status).", isRetryable: false)
        }
    }

    /// No connection to the upstream could be made (refused, unresolvable, connect timeout): retryable with backoff,
    /// and the message names no address or host.
    public static func unavailable() -> EngineError {
        EngineError(code: "InternalError", message: "The upstream service is unavailable.", isRetryable: true)
    }

    /// The upstream returned no usable image.
    public static func noImage(_ reason: String = "The model returned no image.") -> EngineError {
        EngineError(code: "ModelGenerateFailed", message: reason, isRetryable: false)
    }

    /// The provider's safety system blocked the input.
    public static func inputBlocked(_ reason: String = "The input was rejected by the provider's safety system.") -> EngineError {
        EngineError(code: "InvalidParameter.ViolationContent", message: reason, isRetryable: false)
    }

    /// The provider's safety system blocked the output.
    public static func outputBlocked(_ reason: String = "The output was rejected by the provider's safety system.") -> EngineError {
        EngineError(code: "ContentModerationFailed", message: reason, isRetryable: false)
    }

    /// A malformed answer from the upstream.
    public static func malformed(_ what: String) -> EngineError {
        EngineError(code: "ModelGenerateFailed", message: "The upstream's answer could not be read (\(what)).", isRetryable: true)
    }
}
