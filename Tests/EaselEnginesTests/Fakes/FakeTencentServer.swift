import EaselCore
import Foundation
import Hummingbird
import Logging
import NIOCore
@testable import EaselEngines

/// A wire-exact stand-in for Tencent Cloud API 3.0 (aiart 2022-12-29 and VOD 2018-07-17, routed on `X-TC-Action`
/// at `POST /`) and for a reseller's REST proxy (`/tencent-vod/v1/…`, Bearer), on 127.0.0.1 and an ephemeral port.
/// It recomputes every TC3 signature with `TC3Verifier`, checks action, version, region, content type and every
/// body field, plays each job through the scripted steps and serves result PNGs under `/results/`.
struct FakeTencentServer: Sendable {
    /// What the fake accepts.
    struct Credentials: Sendable {
        var secretId = "AKIDfakeTencent0001"
        var secretKey = "fakeTencentSecretKey0001"
        var apiKey = "sk-fake-reseller-0001"
        var subAppId: Int64 = 251_007_502
        /// The `X-TC-Region` every TC3 call must carry (none when nil).
        var region: String? = "ap-guangzhou"
    }

    /// One answer to a submit or poll.
    enum Step: Sendable {
        case waiting, aborted, malformed, corruptImage
        case running(Int)
        case done(images: Int)
        /// Job-level failure: aiart `JobStatusCode "4"`, VOD `FINISH` with `ErrCode 70000`.
        case failed(code: String, message: String)
        /// `Response.Error` with HTTP 200 (REST: with the matching status).
        case apiError(code: String, message: String)
        /// A bare HTTP status with a text body.
        case http(Int)
    }

    /// How the fake plays.
    struct Script: Sendable {
        /// Answer to the submit instead of accepting it (`.apiError`, `.http`, `.malformed`).
        var submit: Step?
        /// Answers to successive polls of a job; the last repeats.
        var polls: [Step] = [.waiting, .running(40), .done(images: 1)]
        /// A job that already exists upstream (resume).
        var existingJob: String?
    }

    /// One request as received.
    struct Call: Sendable {
        /// `X-TC-Action`, or `rest-create` / `rest-query` / `file`.
        var action: String
        var headers: [String: String]
        var body: JSONValue?
        var signatureError: String?
    }

    /// `http://127.0.0.1:<port>`.
    let baseURL: String
    private let state: TencentFakeState

    /// Every request, in order.
    var calls: [Call] { get async { await state.calls } }
    /// Header and field mismatches (empty when every request was exact).
    var problems: [String] { get async { await state.problems } }
    /// Requests for `action` so far.
    func count(_ action: String) async -> Int { await state.calls.filter { $0.action == action }.count }

    /// The PNG served for image `index` of `job`.
    static func image(job: String, index: Int) -> [UInt8] {
        SandboxRenderer().render(prompt: job, seed: 7, index: index, width: 64, height: 48, format: .png).bytes
    }

    /// Runs `body` against a fresh fake, stopped afterwards whatever happens.
    static func with<T>(_ credentials: Credentials = .init(), script: Script = .init(),
                        _ body: (FakeTencentServer) async throws -> T) async throws -> T {
        let state = TencentFakeState(credentials: credentials, script: script)
        return try await FakeUpstream.serve("fake-tencent", state) { try await body(FakeTencentServer(baseURL: $0, state: state)) }
    }
}

/// The fake's memory: script, jobs and what it saw.
private actor TencentFakeState: FakeResponder {
    let credentials: FakeTencentServer.Credentials
    let script: FakeTencentServer.Script
    var baseURL = ""
    var calls: [FakeTencentServer.Call] = []
    var problems: [String] = []
    private var polls: [String: Int] = [:]
    private var sequence = 0

    init(credentials: FakeTencentServer.Credentials, script: FakeTencentServer.Script) {
        self.credentials = credentials
        self.script = script
        if let job = script.existingJob { polls[job] = 0 }
    }

    func respond(to incoming: FakeRequest) async throws -> FakeReply {
        let body = incoming.body
        var headers: [String: String] = [:]
        for field in incoming.fields { headers[field.name.canonicalName] = field.value }
        headers["host"] = incoming.authority ?? headers["host"]
        let path = incoming.path, method = incoming.method
        if method == "GET", path.hasPrefix("/results/") {
            calls.append(.init(action: "file", headers: headers))
            if headers["authorization"] != nil { problems.append("credentials sent to the result host") }
            let parts = path.split(separator: "/").map(String.init)
            guard parts.count == 3, polls[parts[1]] != nil else { return Self.reply(404, Array("no such file".utf8), type: "text/plain") }
            if parts[2] == "corrupt.png" { return Self.reply(200, Array("<html>not an image</html>".utf8), type: "image/png") }
            return Self.reply(200, FakeTencentServer.image(job: parts[1], index: Int(parts[2].prefix { $0.isNumber }) ?? 0), type: "image/png")
        }
        if path.hasPrefix("/tencent-vod/v1/") { return rest(method: method, path: path, headers: headers, body: body) }
        guard method == "POST", path == "/" else {
            problems.append("unexpected \(method) \(path)")
            return Self.reply(404, [], type: "text/plain")
        }
        let action = headers["x-tc-action"] ?? ""
        let json = try? JSONValue.parse(body)
        let signable = SignableRequest(method: method, headers: headers, body: body)
        let service = action.hasSuffix("TextToImageJob") ? "aiart" : "vod"
        do {
            _ = try TC3Verifier(allowedServices: [service]).verify(signable, now: Int(Date().timeIntervalSince1970)) {
                $0 == credentials.secretId ? credentials.secretKey : nil
            }
        } catch {
            calls.append(.init(action: action, headers: headers, body: json, signatureError: error.code))
            return tencentError(error.code, error.message)
        }
        calls.append(.init(action: action, headers: headers, body: json))
        let version = service == "aiart" ? HunyuanImageEngine.version : VODPassthroughEngine.version
        var found: [String] = []
        if headers["x-tc-version"] != version { found.append("X-TC-Version is \(headers["x-tc-version"] ?? "missing")") }
        if headers["x-tc-region"] != credentials.region { found.append("X-TC-Region is \(headers["x-tc-region"] ?? "missing")") }
        if headers["content-type"]?.lowercased().hasPrefix("application/json") != true { found.append("Content-Type is not JSON") }
        guard let params = json?.objectValue else { return refuse(found + ["body is not a JSON object"], code: "InvalidParameter") }
        switch action {
        case "SubmitTextToImageJob":
            found += TencentFakeRules.submitTextToImageJob(params)
            return found.isEmpty ? submit(idPrefix: "1307024053-1789875924-", suffix: "-0", key: "JobId") : refuse(found)
        case "QueryTextToImageJob":
            found += TencentFakeRules.exactly(params, ["JobId": .string])
            return found.isEmpty ? poll(params["JobId"]?.lenientString ?? "", vod: false) : refuse(found)
        case "CreateAigcImageTask":
            found += TencentFakeRules.createAigcImageTask(params, subAppId: credentials.subAppId)
            return found.isEmpty ? submit(idPrefix: "\(credentials.subAppId)-AigcImageTask-", suffix: "t", key: "TaskId") : refuse(found)
        case "DescribeTaskDetail":
            found += TencentFakeRules.exactly(params, ["TaskId": .string, "SubAppId": .int(credentials.subAppId)])
            return found.isEmpty ? poll(params["TaskId"]?.lenientString ?? "", vod: true) : refuse(found)
        default:
            return refuse(found + ["unknown action \(action)"], code: "InvalidAction")
        }
    }

    private func rest(method: String, path: String, headers: [String: String], body: [UInt8]) -> FakeReply {
        let create = method == "POST" && path == "/tencent-vod/v1/aigc-image"
        let json = try? JSONValue.parse(body)
        calls.append(.init(action: create ? "rest-create" : "rest-query", headers: headers, body: json))
        guard headers["authorization"] == "Bearer \(credentials.apiKey)" else {
            return tencentError("AuthFailure.InvalidAuthorization", "Invalid API key \(headers["authorization"] ?? "")", status: 401)
        }
        if create {
            guard let snake = json?.objectValue else { return refuse(["body is not a JSON object"], status: 400) }
            var found = snake.keys.filter { $0.contains(where: \.isUppercase) }.map { "key \($0) is not snake_case" }
            let pascal = RESTKeys.pascalCased(.object(snake)).objectValue ?? [:]
            found += TencentFakeRules.createAigcImageTask(pascal, subAppId: nil)
            return found.isEmpty ? submit(idPrefix: "\(credentials.subAppId)-AigcImageTask-", suffix: "t", key: "TaskId")
                                 : refuse(found, status: 400)
        }
        guard method == "GET", path.hasPrefix("/tencent-vod/v1/query/"), body.isEmpty else {
            return refuse(["unexpected \(method) \(path)"], status: 404)
        }
        return poll(String(path.dropFirst("/tencent-vod/v1/query/".count)), vod: true, rest: true)
    }

    private func submit(idPrefix: String, suffix: String, key: String) -> FakeReply {
        if let answer = script.submit { return step(answer, job: "", vod: key == "TaskId", rest: false) }
        sequence += 1
        let job = idPrefix + String(format: "%032x", sequence) + suffix
        polls[job] = 0
        return envelope([key: .string(job)])
    }

    private func poll(_ job: String, vod: Bool, rest: Bool = false) -> FakeReply {
        guard let count = polls[job] else {
            return vod ? tencentError("ResourceNotFound", "The task does not exist.", status: rest ? 404 : 200)
                       : tencentError("FailedOperation.JobNotExist", "任务不存在")
        }
        polls[job] = count + 1
        let steps = script.polls.isEmpty ? [.done(images: 1)] : script.polls
        return step(steps[min(count, steps.count - 1)], job: job, vod: vod, rest: rest)
    }

    private func step(_ step: FakeTencentServer.Step, job: String, vod: Bool, rest: Bool) -> FakeReply {
        let files: [String]
        switch step {
        case .apiError(let code, let message):
            return tencentError(code, message, status: rest ? (code.hasPrefix("RequestLimit") ? 429 : 400) : 200)
        case .http(let status): return Self.reply(status, Array("upstream trouble".utf8), type: "text/plain")
        case .malformed: return Self.reply(200, Array(#"{"Response": {"RequestId": "#.utf8))
        case .waiting, .running, .aborted, .failed: files = []
        case .done(let images): files = (0..<images).map { "\(baseURL)/results/\(job)/\($0).png" }
        case .corruptImage: files = ["\(baseURL)/results/\(job)/corrupt.png"]
        }
        return envelope(vod ? TencentFakeRules.taskDetail(step, job: job, files: files)
                            : TencentFakeRules.textToImageJob(step, files: files))
    }

    private func refuse(_ found: [String], code: String = "InvalidParameterValue", status: Int = 200) -> FakeReply {
        problems += found
        return tencentError(code, found.joined(separator: "; "), status: status)
    }

    private func envelope(_ fields: [String: JSONValue]) -> FakeReply {
        var response = fields
        response["RequestId"] = .string(UUID().uuidString.lowercased())
        return Self.reply(200, Array(JSONValue.object(["Response": .object(response)]).encoded()))
    }

    private func tencentError(_ code: String, _ message: String, status: Int = 200) -> FakeReply {
        let error = JSONValue.object(["Code": .string(code), "Message": .string(message)])
        let body = JSONValue.object(["Response": .object(["Error": error, "RequestId": .string(UUID().uuidString.lowercased())])])
        return Self.reply(status, Array(body.encoded()))
    }

    static func reply(_ status: Int, _ bytes: [UInt8], type: String = "application/json") -> FakeReply {
        FakeReply(status: status, body: bytes, type: type)
    }
}
