import EaselCore
import Foundation
import Hummingbird

/// An admin API error, rendered in the admin envelope:
/// `{"error": {"code": "InvalidParameter", "message": "…"}, "request_id": "…"}` with the code's HTTP status.
struct AdminError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error codes of the admin API and their statuses.
    enum Code: String, Sendable {
        case invalidParameter = "InvalidParameter"
        case unauthorized = "Unauthorized"
        case forbidden = "Forbidden"
        case notFound = "NotFound"
        case methodNotAllowed = "MethodNotAllowed"
        case conflict = "Conflict"
        case payloadTooLarge = "PayloadTooLarge"
        case internalError = "InternalError"

        var status: HTTPResponse.Status {
            switch self {
            case .invalidParameter: .badRequest
            case .unauthorized: .unauthorized
            case .forbidden: .forbidden
            case .notFound: .notFound
            case .methodNotAllowed: .methodNotAllowed
            case .conflict: .conflict
            case .payloadTooLarge: .contentTooLarge
            case .internalError: .internalServerError
            }
        }
    }

    let code: Code
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { "\(code.rawValue): \(message)" }

    static func invalid(_ message: String) -> Self { .init(.invalidParameter, message) }
    static func notFound(_ message: String) -> Self { .init(.notFound, message) }
    static func conflict(_ message: String) -> Self { .init(.conflict, message) }
    /// A store or other internal failure; its cause is logged, never shown.
    static var internalError: Self { .init(.internalError, "An internal error occurred. Please retry later.") }

    /// The envelope with a fresh request id.
    func response(headers: HTTPFields = [:]) -> Response {
        let body: JSONValue = .object([
            "error": .object(["code": .string(code.rawValue), "message": .string(message)]),
            "request_id": .string(UUID().uuidString.lowercased()),
        ])
        return JSONResponse.make(body, status: code.status, headers: headers)
    }
}
