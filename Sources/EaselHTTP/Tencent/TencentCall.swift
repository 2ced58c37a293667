import EaselCore
import Foundation
import HTTPTypes
import Hummingbird

/// A Tencent API 3.0 call as received: action, version, parameters and how it was signed.
struct TencentCall: Sendable {
    enum Signing: Sendable {
        case tc3(SignableRequest)
        case v1(method: String, host: String, params: [String: String])
        case unsigned
    }

    /// Parameters that v1 and GET carry beside the action's own.
    static let commonParameters: Set<String> = [
        "Action", "Version", "Region", "Timestamp", "Nonce", "SecretId", "SignatureMethod", "Token", "Language",
        "RequestClient", "Signature",
    ]

    let action: String
    let version: String
    let params: JSONValue
    let signing: Signing
    let token: String?

    /// Whether the request is a Tencent API call rather than a REST/OpenAI/file request. Tencent calls are
    /// recognised by their headers or parameters on any path that no other dialect owns, because clients may
    /// configure an endpoint with a path; a POST to `/` is always one (and answered "missing Action" if it lacks it).
    static func isTencentCall(_ request: Request) -> Bool {
        if DialectPath.owner(of: request.uri.path) != nil || ConsoleRoutes.owns(request.uri.path) { return false }
        if request.headers[values: HTTPField.Name("X-TC-Action")!].first != nil { return true }
        if request.headers[.authorization]?.hasPrefix(TC3Authorization.algorithm) == true { return true }
        // v1 signing carries Action in the form body.
        if request.method == .post,
           request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            return true
        }
        if let query = request.uri.query, query.split(separator: "&").contains(where: { $0.hasPrefix("Action=") }) {
            return true
        }
        return request.uri.path == "/" && request.method == .post
    }

    /// Reads the call from the request, collecting its body.
    static func parse(_ request: Request, context: EaselRequestContext) async throws(APIError) -> TencentCall {
        let body: [UInt8]
        do {
            let buffer = try await request.body.collect(upTo: context.maxUploadSize)
            body = Array(buffer.readableBytesView)
        } catch {
            throw APIError("RequestSizeLimitExceeded", "The request body exceeds the 10 MB limit.")
        }
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0),\(field.value)" } ?? field.value
        }
        // HTTPTypes moves Host into the authority; the signature covers the raw value the client sent.
        headers["host"] = request.head.authority ?? headers["host"] ?? ""
        let method = request.method.rawValue.uppercased()
        let rawQuery = request.uri.query ?? ""
        let isForm = headers["content-type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true

        if let authorization = headers["authorization"], authorization.hasPrefix(TC3Authorization.algorithm) {
            let params: JSONValue
            if method == "GET" {
                params = try .unflatten(FormParameters.decode(rawQuery))
            } else if isForm {
                params = try .unflatten(FormParameters.decode(String(decoding: body, as: UTF8.self)))
            } else if body.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) {
                params = .object([:])
            } else {
                guard let parsed = try? JSONValue.parse(body), case .object = parsed else {
                    throw .invalidParameter("The request body is not a JSON object.")
                }
                params = parsed
            }
            let signable = SignableRequest(method: method, rawQuery: rawQuery, headers: headers, body: body)
            return TencentCall(action: headers["x-tc-action"] ?? "", version: headers["x-tc-version"] ?? "",
                               params: params, signing: .tc3(signable), token: headers["x-tc-token"])
        }

        let pairs = try FormParameters.decode(method == "GET" ? rawQuery : (isForm ? String(decoding: body, as: UTF8.self) : rawQuery))
        var flat: [String: String] = [:]
        for (key, value) in pairs { flat[key] = value }
        let own = pairs.filter { !commonParameters.contains($0.key) }
        let signing: Signing = flat["Signature"] != nil
            ? .v1(method: method, host: headers["host"] ?? "", params: flat) : .unsigned
        return TencentCall(action: flat["Action"] ?? headers["x-tc-action"] ?? "",
                           version: flat["Version"] ?? headers["x-tc-version"] ?? "",
                           params: try .unflatten(own), signing: signing, token: flat["Token"] ?? headers["x-tc-token"])
    }
}
