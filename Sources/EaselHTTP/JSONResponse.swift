import EaselCore
import Foundation
import Hummingbird

/// JSON responses with `Content-Type: application/json` exactly: with a charset the Tencent Python SDK stops
/// recognising errors (tencent-api.md §9.1).
enum JSONResponse {
    static func make(_ body: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body.encodedBytes())))
    }
}

/// The Tencent API 3.0 envelope: `{"Response": {..., "RequestId"}}`, errors in `Response.Error`.
enum TencentEnvelope {
    static func success(_ fields: [String: JSONValue], requestId: String) -> JSONValue {
        var response = fields
        response["RequestId"] = .string(requestId)
        return .object(["Response": .object(response)])
    }

    static func newRequestId() -> String { UUID().uuidString.lowercased() }
}
