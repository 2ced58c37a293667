import EaselCore
import HTTPTypes
import Hummingbird

/// How each dialect renders an `APIError`, in one place: the Tencent envelope (HTTP 200 for the TC3 API, the REST
/// proxy's status otherwise) and OpenAI's error object with its status, type and code.
extension APIError {
    /// `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`.
    func tencentEnvelope(requestId: String) -> JSONValue {
        .object(["Response": .object([
            "Error": .object(["Code": .string(code.rawValue), "Message": .string(message)]),
            "RequestId": .string(requestId),
        ])])
    }

    /// The Tencent envelope as the TC3 API answers it: always HTTP 200.
    func tencentResponse(requestId: String) -> Response {
        JSONResponse.make(tencentEnvelope(requestId: requestId))
    }

    /// The Tencent envelope with the REST proxy's HTTP status.
    func restResponse(requestId: String) -> Response {
        JSONResponse.make(tencentEnvelope(requestId: requestId), status: restStatus)
    }

    /// The REST proxy's HTTP status for the error.
    var restStatus: HTTPResponse.Status {
        switch code.kind {
        case .authFailure: .unauthorized
        case .notFound: .notFound
        case .rateLimited: .tooManyRequests
        case .internalError: .internalServerError
        case .conflict: .conflict
        case .tooLarge: .contentTooLarge
        case .invalidRequest, .contentRejected, .timeout, .unknownAction, .other: .badRequest
        }
    }

    /// OpenAI's `{"error": {"message", "type", "param", "code"}}` with its HTTP status.
    func openAIResponse() -> Response {
        let (status, type, openAICode): (HTTPResponse.Status, String, String?) = switch code.kind {
        case .authFailure: (.unauthorized, "invalid_request_error", "invalid_api_key")
        case .rateLimited: (.tooManyRequests, "requests", "rate_limit_exceeded")
        case .notFound: (.notFound, "invalid_request_error", nil)
        case .timeout: (.gatewayTimeout, "server_error", "timeout")
        case .contentRejected: (.badRequest, "invalid_request_error", "content_policy_violation")
        case .invalidRequest: (.badRequest, "invalid_request_error", code.rawValue)
        case .tooLarge, .conflict, .unknownAction, .internalError, .other: (.internalServerError, "server_error", code.rawValue)
        }
        // Validation messages start with the offending field (`size must be …`); anything else names no field.
        let param = message.split(separator: " ").first.map(String.init).flatMap { $0.first?.isLowercase == true ? $0 : nil }
        let body: JSONValue = .object(["error": .object([
            "message": .string(message), "type": .string(type),
            "param": param.map { .string($0) } ?? .null, "code": openAICode.map { .string($0) } ?? .null,
        ])])
        return JSONResponse.make(body, status: status)
    }
}
