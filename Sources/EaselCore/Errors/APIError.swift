/// A client-facing error with a Tencent error code (`InvalidParameterValue.SessionId`, …) and a message that
/// names the field at fault. Every dialect renders it in its own envelope; nothing below the API layer
/// (database, upstream) ever reaches a client except through one of these.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The Tencent error code.
    public let code: ErrorCode
    /// A message for humans.
    public let message: String

    /// Creates an error.
    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Creates an error with a code read at run time (a task's stored failure, an upstream's answer).
    public init(code: String, _ message: String) {
        self.init(ErrorCode(rawValue: code), message)
    }

    public var description: String { "\(code): \(message)" }

    /// `InvalidParameter`: a field has the wrong type or shape.
    public static func invalidParameter(_ message: String) -> Self { .init("InvalidParameter", message) }
    /// `InvalidParameterValue`: a field's value is not allowed.
    public static func invalidValue(_ message: String) -> Self { .init("InvalidParameterValue", message) }
    /// `MissingParameter`: a required field is absent.
    public static func missing(_ field: String) -> Self {
        .init("MissingParameter", "The request is missing a required parameter `\(field)`.")
    }
    /// `ResourceNotFound` for an unknown task.
    public static func taskNotFound(_ id: TaskID) -> Self {
        .init("ResourceNotFound", "The task `\(id)` does not exist.")
    }
    /// `InternalError`, with a message that reveals nothing internal.
    public static var internalError: Self {
        .init("InternalError", "An internal error occurred. Please retry later.")
    }
    /// `RequestLimitExceeded`.
    public static func rateLimited(_ message: String) -> Self { .init("RequestLimitExceeded", message) }
    /// `InvalidAction`.
    public static func invalidAction(_ action: String) -> Self {
        .init("InvalidAction", "The action `\(action)` is not supported.")
    }
}
