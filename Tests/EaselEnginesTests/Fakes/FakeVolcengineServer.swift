import Crypto
import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
@testable import EaselEngines

/// A wire-exact stand-in for Volcengine Visual's Jimeng 4.0 API (providers.md §4): a Hummingbird app on 127.0.0.1
/// and an ephemeral port that recomputes the V4 signature of every request with the known secret (refusing
/// mismatches as the gateway does), checks every body field by field, plays one task through
/// `in_queue → generating → done`, puts business errors in `code` (also inside HTTP 200), and serves result images.
struct FakeVolcengineServer: FakeTaskServer {
    /// A status, body and extra headers sent verbatim.
    typealias Reply = FakeReply

    /// How the task ends: `done` (URLs when `return_url`, otherwise base64), a business error in `code` with an
    /// HTTP status, `data.status` `expired`/`not_found`, `done` with URLs serving no image, or never.
    enum Outcome: FakeTaskOutcome {
        case done, corruptImage, never
        case failed(code: Int, message: String, status: Int)
        case status(String)

        static var documentedSuccess: Self { .done }
        /// `in_queue`, then `generating`.
        static var waitingPolls: Int { 2 }
    }

    /// What the fake expects and how it plays the task.
    struct Script: FakeTaskScript {
        /// The exact submit body.
        var submitBody: JSONValue
        /// The exact poll `req_json`, decoded from its string.
        var reqJSON: JSONValue = .object(["return_url": .bool(true)])
        var submitReply: Reply?
        var images = 1
        var play = FakeTaskPlay<Outcome>()
    }

    static let taskId = "15977608121972527084"
    static let accessKey = "AKLTfakeJimeng7f3a"
    static let secretKey = "WkRZeE1EQmxPVGhsWWpWak5HVmtNbUUxTXpZeU9UVXlOMlE1TmpZeVlqTQ=="
    /// `http://127.0.0.1:<port>`.
    let baseURL: String
    let state: VolcFakeState

    /// The bytes served for result `index`.
    static func image(_ index: Int) -> [UInt8] {
        SandboxRenderer().render(prompt: "jimeng", seed: 4, index: index, width: 48, height: 64, format: .png).bytes
    }

    /// Runs `body` against a fresh fake, stopped afterwards whatever happens.
    static func with<T>(script: Script, _ body: (FakeVolcengineServer) async throws -> T) async throws -> T {
        try await serve("fake-volcengine", VolcFakeState(script: script), body)
    }

    /// Why the request's signature is refused, or nil when it verifies: the Authorization is parsed, the canonical
    /// request rebuilt from the received method, path, query, signed headers and body, and the signature recomputed.
    static func signatureFailure(method: String, path: String, query: String, authority: String?, headers: HTTPFields,
                                 body: [UInt8], now: Date) -> String? {
        guard let auth = headers[.authorization], auth.hasPrefix("HMAC-SHA256 Credential=") else { return "no HMAC-SHA256 Authorization" }
        var fields: [String: String] = [:]
        for part in auth.dropFirst("HMAC-SHA256 ".count).split(separator: ",") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { fields[pair[0]] = pair[1] }
        }
        let scope = (fields["Credential"] ?? "").split(separator: "/").map(String.init)
        guard scope.count == 5, scope[0] == accessKey, scope[2] == "cn-north-1", scope[3] == "cv", scope[4] == "request"
        else { return "credential is not AK/date/cn-north-1/cv/request" }
        guard let xDate = headers[HTTPField.Name("X-Date")!], xDate.count == 16, xDate.hasPrefix(scope[1]) else {
            return "X-Date missing or not on the scope's date"
        }
        let formatter = DateFormatter()
        (formatter.locale, formatter.timeZone, formatter.dateFormat) = (Locale(identifier: "en_US_POSIX"), TimeZone(identifier: "UTC"), "yyyyMMdd'T'HHmmss'Z'")
        guard let date = formatter.date(from: xDate), abs(date.timeIntervalSince(now)) < 900 else { return "X-Date is skewed" }
        let bodyHash = SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        guard headers[HTTPField.Name("X-Content-Sha256")!] == bodyHash else { return "X-Content-Sha256 is not the body's" }
        let names = (fields["SignedHeaders"] ?? "").split(separator: ";").map(String.init)
        guard Set(["content-type", "host", "x-content-sha256", "x-date"]).isSubset(of: names) else {
            return "SignedHeaders lacks content-type;host;x-content-sha256;x-date"
        }
        let signed = names.map { name in (name, name == "host" ? authority ?? "" : HTTPField.Name(name).flatMap { headers[$0] } ?? "") }
        let items = query.split(separator: "&").map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
        let (canonical, signedNames) = VolcV4Signer.canonicalRequest(
            method: method, canonicalURI: VolcV4Signer.canonicalURI(path: path),
            canonicalQuery: VolcV4Signer.canonicalQuery(items), headers: signed, payloadHash: bodyHash)
        guard signedNames == names.joined(separator: ";") else { return "SignedHeaders are not sorted lower-case names" }
        let key = VolcV4Signer.scheme.signingKey(secretAccessKey: secretKey, shortDate: scope[1], region: scope[2], service: scope[3])
        let expected = VolcV4Signer.signature(signingKey: key, stringToSign: VolcV4Signer.scheme.stringToSign(
            canonicalRequest: canonical, date: xDate, scope: scope[1...].joined(separator: "/")))
        return VolcV4Signer.signaturesMatch(expected, fields["Signature"] ?? "") ? nil : "signature does not match"
    }
}

/// The fake's memory: what it was told to do and what it saw.
actor VolcFakeState: FakeTaskRecorder {
    var memory: FakeTaskMemory<FakeVolcengineServer.Script>

    init(script: FakeVolcengineServer.Script) { memory = FakeTaskMemory(script) }

    func respond(to incoming: FakeRequest) async throws -> FakeReply {
        let body = incoming.body
        let path = incoming.path, query = incoming.query, method = incoming.method
        if let download = incoming.resultDownload(under: "/cdn/", problems: &problems, { index, _ in
            if case .corruptImage = script.play.outcome { return .text(200, "<html>not an image</html>", type: "image/png") }
            return FakeReply(status: 200, body: FakeVolcengineServer.image(index), type: "image/jpeg")
        }) { return download }
        if let failure = FakeVolcengineServer.signatureFailure(method: method, path: path, query: query, authority: incoming.authority,
                                                               headers: incoming.fields, body: body, now: Date()) {
            memory.refusals.append(failure)
            return .text(401, #"{"ResponseMetadata":{"RequestId":"2025","Action":"","Version":"2022-08-31","Service":"cv","#
                + #""Region":"cn-north-1","Error":{"CodeN":100010,"Code":"SignatureDoesNotMatch","Message":"mismatch"}}}"#)
        }
        if method != "POST" || path != "/" { problems.append("unexpected \(method) \(path)") }
        if incoming.header("content-type") != "application/json" { problems.append("Content-Type is not application/json") }
        guard let json = try? JSONValue.parse(body) else {
            problems.append("body is not JSON")
            return business(400, 50400, "Input invalid for this service.")
        }
        switch query {
        case "Action=CVSync2AsyncSubmitTask&Version=2022-08-31":
            submits += 1
            let found = FakeUpstream.diff(script.submitBody, json, at: "submit")
            problems += found
            if !found.isEmpty { return business(400, 50400, "Input invalid for this service.") }
            if let answer = script.submitReply { return answer }
            return envelope(.object(["task_id": .string(FakeVolcengineServer.taskId)]))
        case "Action=CVSync2AsyncGetResult&Version=2022-08-31":
            polls.append(path)
            return poll(json)
        default:
            problems.append("unexpected query \(query)")
            return .text(404, #"{"ResponseMetadata":{"Error":{"CodeN":100002,"Code":"InvalidActionOrVersion","Message":"x"}}}"#)
        }
    }

    private func poll(_ json: JSONValue) -> FakeReply {
        guard case .string(let reqText)? = json["req_json"], let reqJSON = try? JSONValue.parse(Array(reqText.utf8)) else {
            problems.append("req_json is not a JSON string")
            return business(400, 50400, "Input invalid for this service.")
        }
        let expected = JSONValue.object(["req_key": .string("jimeng_t2i_v40"), "task_id": .string(FakeVolcengineServer.taskId),
                                         "req_json": .string(reqText)])
        let found = FakeUpstream.diff(expected, json, at: "poll") + FakeUpstream.diff(script.reqJSON, reqJSON, at: "req_json")
        problems += found
        if json["task_id"] != .string(FakeVolcengineServer.taskId) { return envelope(.object(["status": .string("not_found")])) }
        if !found.isEmpty { return business(400, 50400, "Input invalid for this service.") }
        switch memory.advance() {
        case .scripted(let answer): return answer
        case .waiting(let poll): return envelope(.object(["status": .string(poll == 1 ? "in_queue" : "generating")]))
        case .done: break
        }
        switch script.play.outcome {
        case .never: return envelope(.object(["status": .string("generating")]))
        case .status(let status):
            return envelope(.object(["status": .string(status), "image_urls": .null, "binary_data_base64": .null]))
        case .failed(let code, let message, let status): return business(status, code, message)
        case .done, .corruptImage:
            let indices = 0..<script.images
            if reqJSON["return_url"] == .bool(true) {
                return envelope(.object(["status": .string("done"), "binary_data_base64": .array([]),
                                         "image_urls": .array(indices.map { .string("\(baseURL)/cdn/\($0).jpeg?x-expires=1") })]))
            }
            return envelope(.object(["status": .string("done"), "image_urls": .null, "binary_data_base64":
                                        .array(indices.map { .string(Data(FakeVolcengineServer.image($0)).base64EncodedString()) })]))
        }
    }

    private func envelope(_ data: JSONValue) -> FakeReply { business(200, 10000, "Success", data: data) }

    private func business(_ status: Int, _ code: Int, _ message: String, data: JSONValue = .null) -> FakeReply {
        .json(status, .object(["code": .int(Int64(code)), "data": data, "message": .string(message),
                                                      "request_id": .string("20251125005330F6F4B7E94EB473180018"),
                                                      "status": .int(Int64(code)), "time_elapsed": .string("34.7ms")]))
    }
}
