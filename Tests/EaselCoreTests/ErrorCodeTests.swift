import Foundation
import Testing
@testable import EaselCore

@Suite struct ErrorCodeTests {
    @Test(arguments: [
        ("AuthFailure.SignatureFailure", ErrorCode.Kind.authFailure), ("InvalidParameterValue.SessionId", .invalidRequest),
        ("MissingParameter", .invalidRequest), ("InvalidParameter.ViolationContent", .contentRejected),
        ("ContentModerationFailed", .contentRejected), ("ResourceNotFound", .notFound),
        ("RequestLimitExceeded.StatusStreams", .rateLimited), ("RequestSizeLimitExceeded", .tooLarge),
        ("FailedOperation", .conflict), ("TaskTimeout", .timeout), ("InvalidAction", .unknownAction),
        ("NoSuchVersion", .unknownAction), ("InternalError.Algo", .internalError), ("ModelGenerateFailed", .other),
        ("InvalidParameterish", .other), ("", .other),
    ])
    func theFamilyDecidesTheKind(code: String, kind: ErrorCode.Kind) {
        #expect(ErrorCode(rawValue: code).kind == kind)
    }

    @Test func aCodeIsItsText() {
        let code: ErrorCode = "InvalidParameterValue"
        #expect(code.rawValue == "InvalidParameterValue" && "\(code)" == "InvalidParameterValue")
        #expect(APIError(code: "FailedOperation.X", "m").code == ErrorCode(rawValue: "FailedOperation.X"))
    }

    @Test func aStoredCodeIsAPlainJSONString() throws {
        let encoded = try JSONEncoder().encode(["code": ErrorCode(rawValue: "ModelGenerateFailed")])
        #expect(String(decoding: encoded, as: UTF8.self) == #"{"code":"ModelGenerateFailed"}"#)
        let decoded = try JSONDecoder().decode([String: ErrorCode].self, from: Data(#"{"code":"InternalError"}"#.utf8))
        #expect(decoded["code"] == .internalError)
    }
}
