import EaselMacros

/// A Tencent error code as Easel answers it (`AuthFailure.SignatureFailure`, `InvalidParameterValue`, …). Its kind,
/// read from the part before the first `.`, decides how every dialect renders it (`APIError+rendering` in EaselHTTP);
/// codes an upstream answered with pass through unchanged, of kind `.other` unless Tencent's families name them.
@MemberwiseInit
public struct ErrorCode: Sendable, Hashable, RawRepresentable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// What a client can do about an error, whatever its exact code.
    public enum Kind: Sendable, Equatable {
        /// `AuthFailure.*`: the credentials or signature were refused.
        case authFailure
        /// `InvalidParameter*`, `MissingParameter*`: the request is wrong.
        case invalidRequest
        /// `InvalidParameter.ViolationContent` and friends: the content was refused by a moderation check.
        case contentRejected
        /// `ResourceNotFound*`: no such task, file or version.
        case notFound
        /// `RequestLimitExceeded*`: too many requests for now.
        case rateLimited
        /// `RequestSizeLimitExceeded`: the body is too large.
        case tooLarge
        /// `FailedOperation*`: the request is valid but the resource's state does not allow it.
        case conflict
        /// `TaskTimeout`: the task did not end in time.
        case timeout
        /// `InvalidAction`, `NoSuchVersion`: the action or API version is unknown.
        case unknownAction
        /// `InternalError*`: Easel or its store failed; retry later.
        case internalError
        /// Every code of no family above (an upstream's own codes).
        case other
    }

    /// The code as it goes on the wire.
    public let rawValue: String

    /// Wraps a code written in the source.
    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    public var description: String { rawValue }

    /// The family the code belongs to.
    public var kind: Kind {
        if Self.contentCodes.contains(rawValue) { return .contentRejected }
        let family = rawValue.split(separator: ".", maxSplits: 1).first.map(String.init) ?? rawValue
        switch family {
        case "AuthFailure": return .authFailure
        case "InvalidParameter", "InvalidParameterValue", "MissingParameter": return .invalidRequest
        case "ResourceNotFound": return .notFound
        case "RequestLimitExceeded": return .rateLimited
        case "RequestSizeLimitExceeded": return .tooLarge
        case "FailedOperation": return .conflict
        case "TaskTimeout": return .timeout
        case "InvalidAction", "NoSuchVersion": return .unknownAction
        case "InternalError": return .internalError
        default: return .other
        }
    }

    private static let contentCodes: Set<String> = [
        "ContentModerationFailed", "InvalidParameter.ViolationContent", "InvalidParameter.VoilationContent",
    ]

    /// `InternalError`.
    public static let internalError: Self = "InternalError"
    /// `ResourceNotFound`.
    public static let resourceNotFound: Self = "ResourceNotFound"
}
