import Crypto
import EaselCore
import Foundation
@testable import EaselEngines

/// A wire-exact stand-in for Kling's image API (providers.md §8): a Hummingbird app on 127.0.0.1 and an ephemeral
/// port that verifies the JWT (signature recomputed with the known secret, `iss`, `exp`, `nbf`) or API key, checks
/// every request field by field, plays one task through `submitted → processing → succeed/failed`, and serves the
/// result images from its own "CDN" path.
struct FakeKlingServer: FakeTaskServer {
    /// The credentials the fake accepts.
    enum Auth: Sendable {
        case jwt(accessKey: String, secretKey: String)
        case apiKey(String)
    }

    /// A status, body and extra headers sent verbatim.
    typealias Reply = FakeReply

    /// How the task ends.
    enum Outcome: FakeTaskOutcome {
        case succeed
        case failed(String)
        /// `succeed` whose image URL serves bytes that are no image.
        case corruptImage
        /// A `data` object without `task_status`.
        case noStatus
        /// Never leaves `processing`.
        case never

        static var documentedSuccess: Self { .succeed }
        /// `submitted`, then `processing`.
        static var waitingPolls: Int { 2 }
    }

    /// What the fake expects and how it plays the task.
    struct Script: FakeTaskScript {
        /// The create path, e.g. `/v1/images/generations`; polls go to `<path>/<task id>`.
        var path: String
        /// The exact JSON body the create must carry.
        var body: JSONValue
        /// Answer to the create instead of the documented success.
        var submitReply: Reply?
        /// Images in the result (default: the submitted `n`).
        var images: Int?
        var play = FakeTaskPlay<Outcome>()
    }

    /// The id the fake gives its task.
    static let taskId = "CjMT7WdSwWcAAAAAALvB3g"
    /// `http://127.0.0.1:<port>`.
    let baseURL: String
    let state: KlingFakeState

    /// The image bytes served for result `index`.
    static func image(_ index: Int) -> [UInt8] {
        SandboxRenderer().render(prompt: "kling", seed: 3, index: index, width: 64, height: 48, format: .png).bytes
    }

    /// Runs `body` against a fresh fake, which is stopped afterwards whatever happens.
    static func with<T>(auth: Auth, script: Script, _ body: (FakeKlingServer) async throws -> T) async throws -> T {
        try await serve("fake-kling", KlingFakeState(auth: auth, script: script), body)
    }

    /// Why a JWT is refused, with Kling's code (1001–1004), or nil when it is valid at `now`.
    static func jwtFailure(_ authorization: String?, accessKey: String, secretKey: String, now: Date) -> (Int, String)? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return (1001, "no Bearer token") }
        let parts = authorization.dropFirst(7).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && !$0.contains { "=+/".contains($0) } }) else {
            return (1002, "not three unpadded base64url parts")
        }
        guard let header = decode(parts[0]), header == .object(["alg": .string("HS256"), "typ": .string("JWT")]) else {
            return (1002, "header is not {alg: HS256, typ: JWT}")
        }
        let mac = HMAC<SHA256>.authenticationCode(for: Data((parts[0] + "." + parts[1]).utf8),
                                                  using: SymmetricKey(data: Data(secretKey.utf8)))
        let expected = Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        guard parts[2] == expected else { return (1002, "signature does not verify") }
        guard let claims = decode(parts[1])?.objectValue, Set(claims.keys) == ["iss", "exp", "nbf"] else {
            return (1002, "claims are not exactly iss, exp, nbf")
        }
        guard claims["iss"] == .string(accessKey) else { return (1002, "iss is not the access key") }
        guard case .int(let exp)? = claims["exp"], case .int(let nbf)? = claims["nbf"] else {
            return (1002, "exp/nbf not integers")
        }
        let seconds = Int64(now.timeIntervalSince1970)
        guard nbf <= seconds else { return (1003, "not valid yet") }
        guard exp > seconds else { return (1004, "expired") }
        guard exp - nbf == 1805, exp - seconds <= 1800 else { return (1002, "lifetime is not now+1800 / now-5") }
        return nil
    }

    private static func decode(_ part: String) -> JSONValue? {
        var base64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).flatMap { try? JSONValue.parse($0) }
    }
}

/// The fake's memory: what it was told to do and what it saw.
actor KlingFakeState: FakeTaskRecorder {
    let auth: FakeKlingServer.Auth
    var memory: FakeTaskMemory<FakeKlingServer.Script>
    private var count = 1

    init(auth: FakeKlingServer.Auth, script: FakeKlingServer.Script) {
        self.auth = auth
        memory = FakeTaskMemory(script)
    }

    func respond(to incoming: FakeRequest) async throws -> FakeReply {
        let path = incoming.path, method = incoming.method
        let authorization = incoming.header("authorization")
        let taskPath = script.path + "/" + FakeKlingServer.taskId
        if let download = incoming.resultDownload(under: "/kling-cdn/", problems: &problems, { index, _ in
            if case .corruptImage = script.play.outcome { return .text(200, "<html>not an image</html>", type: "image/png") }
            return FakeReply(status: 200, body: FakeKlingServer.image(index), type: "image/png")
        }) { return download }
        if let refusal = refusal(authorization) {
            memory.refusals.append(refusal.1)
            return envelopeError(401, refusal.0, "Auth failed: \(refusal.1)")
        }
        if method == "POST", path == script.path {
            submits += 1
            if incoming.header("content-type") != "application/json" {
                problems.append("Content-Type is not application/json")
            }
            guard let json = incoming.json else {
                problems.append("create body is not JSON")
                return envelopeError(400, 1200, "invalid request body")
            }
            let found = FakeUpstream.diff(script.body, json, at: "body")
            problems += found
            if !found.isEmpty { return envelopeError(400, 1201, found.joined(separator: "; ")) }
            count = script.images ?? Int(json["n"]?.lenientInt ?? 1)
            if let answer = script.submitReply { return answer }
            return envelope(task(status: "submitted"))
        }
        guard method == "GET", path == taskPath else {
            problems.append("unexpected \(method) \(path)")
            return envelopeError(404, 1203, "resource not found")
        }
        polls.append(path)
        if !incoming.body.isEmpty { problems.append("poll has a body") }
        switch memory.advance() {
        case .scripted(let answer): return answer
        case .waiting(let poll): return envelope(task(status: poll == 1 ? "submitted" : "processing"))
        case .done: break
        }
        switch script.play.outcome {
        case .never: return envelope(task(status: "processing"))
        case .noStatus: return envelope(.object(["task_id": .string(FakeKlingServer.taskId)]))
        case .failed(let message): return envelope(task(status: "failed", message: message))
        case .succeed, .corruptImage:
            var data = task(status: "succeed")
            let images = (0..<count).map { index in
                JSONValue.object(["index": .int(Int64(index)),
                                  "url": .string("\(baseURL)/kling-cdn/\(FakeKlingServer.taskId)/\(index).png")])
            }
            data = .object((data.objectValue ?? [:]).merging(["task_result": .object(["images": .array(images)])]) { $1 })
            return envelope(data)
        }
    }

    private func refusal(_ authorization: String?) -> (Int, String)? {
        switch auth {
        case .jwt(let accessKey, let secretKey):
            return FakeKlingServer.jwtFailure(authorization, accessKey: accessKey, secretKey: secretKey, now: Date())
        case .apiKey(let key):
            return authorization == "Bearer " + key ? nil : (1002, "API key does not match")
        }
    }

    private func task(status: String, message: String = "") -> JSONValue {
        var fields: [String: JSONValue] = ["task_id": .string(FakeKlingServer.taskId), "task_status": .string(status),
                                           "created_at": .int(1_733_851_336_696), "updated_at": .int(1_733_851_344_553)]
        if status == "submitted" { fields["task_info"] = .object(["external_task_id": .string("")]) }
        if status != "submitted" { fields["task_status_msg"] = .string(message) }
        return .object(fields)
    }

    private func envelope(_ data: JSONValue) -> FakeReply {
        .json(200, .object(["code": .int(0), "message": .string("SUCCEED"), "request_id": .string("CjNTkGdSwxYAAAAAALud5A"),
                            "data": data]))
    }

    private func envelopeError(_ status: Int, _ code: Int, _ message: String) -> FakeReply {
        .json(status, .object(["code": .int(Int64(code)), "message": .string(message),
                               "request_id": .string("9984d27b-a408-4073-ae28-17ca6a13622d")]))
    }
}
