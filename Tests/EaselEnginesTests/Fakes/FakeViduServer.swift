import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
@testable import EaselEngines

/// A wire-exact stand-in for Vidu's enterprise image API (providers.md §7): a Hummingbird app on 127.0.0.1 and an
/// ephemeral port that checks `Authorization: Token <key>`, the path and every JSON field, plays one task through
/// `created → queueing → processing → success/failed`, and serves the creations (plain and watermarked) itself.
struct FakeViduServer: Sendable {
    /// A status, body and extra headers sent verbatim.
    struct Reply: Sendable {
        var status: Int
        var body: String
        var headers: [String: String] = [:]
    }

    /// How the task ends.
    enum Outcome: Sendable {
        case success
        /// `failed` with this `err_code`.
        case failed(String)
        /// An answer without `state`.
        case noState
        /// Never leaves `processing`.
        case never
    }

    /// What the fake expects and how it plays the task.
    struct Script: Sendable {
        /// The exact JSON body the create must carry.
        var body: JSONValue
        /// Answer to the create instead of the documented success.
        var submitReply: Reply?
        /// Answers to the first polls, before the task progresses.
        var pollReplies: [Reply] = []
        /// Polls answered `created`, `queueing`, then `processing`, before the outcome.
        var pollsBeforeDone = 3
        var outcome: Outcome = .success
        /// Creations in the result.
        var creations = 1
        /// The task already exists upstream (resume): polling it needs no create.
        var existingTask = false
    }

    /// The id the fake gives its task.
    static let taskId = "880123456789"
    /// The API key the fake accepts.
    static let apiKey = "vda_test_4c2e91"
    /// `http://127.0.0.1:<port>`.
    let baseURL: String
    private let state: ViduFakeState

    /// Creates received.
    var submits: Int { get async { await state.submits } }
    /// Paths polled, in order.
    var polls: [String] { get async { await state.polls } }
    /// Path, header and field mismatches found (empty when every request was exact).
    var problems: [String] { get async { await state.problems } }
    /// The bytes served for creation `index`, watermarked or not.
    static func image(_ index: Int, watermarked: Bool = false) -> [UInt8] {
        let renderer = SandboxRenderer()
        return renderer.render(prompt: "vidu", seed: watermarked ? 2 : 1, index: index, width: 48, height: 64, format: .png).bytes
    }

    /// Runs `body` against a fresh fake, which is stopped afterwards whatever happens.
    static func with<T>(script: Script, _ body: (FakeViduServer) async throws -> T) async throws -> T {
        let state = ViduFakeState(script: script)
        let router = Router()
        for method in [HTTPRequest.Method.get, .post] {
            router.on("**", method: method) { request, _ in try await state.respond(to: request) }
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "fake-vidu")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in
                                  continuation.yield(channel.localAddress?.port ?? 0)
                                  continuation.finish()
                              }, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { continuation.finish() }
                try await app.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw ViduFakeFailed() }
            let server = FakeViduServer(baseURL: "http://127.0.0.1:\(port)", state: state)
            await state.setBaseURL(server.baseURL)
            let result = try await body(server)
            group.cancelAll()
            return result
        }
    }

    /// Vidu's error body (§7; shape unconfirmed upstream).
    static func error(_ status: Int, _ reason: String, _ message: String, headers: [String: String] = [:]) -> Reply {
        let body = #"{"code":\#(status),"reason":"\#(reason)","message":"\#(message)","metadata":{"trace_id":"abc"}}"#
        return Reply(status: status, body: body, headers: headers)
    }
}

private struct ViduFakeFailed: Error {}

/// The fake's memory: what it was told to do and what it saw.
private actor ViduFakeState {
    let script: FakeViduServer.Script
    var baseURL = ""
    var submits = 0
    var polls: [String] = []
    var problems: [String] = []
    private var progressPolls = 0
    private var payload = ""

    init(script: FakeViduServer.Script) {
        self.script = script
    }

    func setBaseURL(_ url: String) { baseURL = url }

    func respond(to incoming: Request) async throws -> Response {
        var incoming = incoming
        let body = Array(try await incoming.collectBody(upTo: 64 << 20).readableBytesView)
        let path = incoming.uri.path, method = incoming.method.rawValue
        let authorization = incoming.headers[.authorization]
        if method == "GET", path.hasPrefix("/vidu-cdn/") {
            if authorization != nil { problems.append("credentials sent to the result host") }
            let name = path.split(separator: "/").last.map(String.init) ?? ""
            guard let index = Int(name.prefix { $0.isNumber }) else { return Self.response(404, []) }
            return Self.response(200, FakeViduServer.image(index, watermarked: name.contains("-wm")), type: "image/png")
        }
        guard authorization == "Token " + FakeViduServer.apiKey else {
            problems.append("Authorization is \(authorization ?? "absent"), expected Token <key>")
            return reply(FakeViduServer.error(401, "Unauthorized", "invalid token"))
        }
        if method == "POST", path == "/ent/v2/reference2image" {
            submits += 1
            if incoming.headers[.contentType] != "application/json" {
                problems.append("Content-Type is not application/json")
            }
            guard let json = try? JSONValue.parse(body) else {
                problems.append("create body is not JSON")
                return reply(FakeViduServer.error(400, "BadRequest", "invalid json"))
            }
            let found = Self.diff(script.body, json, at: "body")
            problems += found
            if !found.isEmpty { return reply(FakeViduServer.error(400, "FieldInvalid", found.joined(separator: "; "))) }
            if let answer = script.submitReply { return reply(answer) }
            payload = json["payload"]?.lenientString ?? ""
            var echo = json.objectValue ?? [:]
            echo.merge(["task_id": .string(FakeViduServer.taskId), "state": .string("created"), "credits": .int(2),
                        "created_at": .string("2025-09-08T09:53:22.083033428Z")]) { $1 }
            return Self.response(200, Array(JSONValue.object(echo).encoded()))
        }
        guard method == "GET", path == "/ent/v2/tasks/\(FakeViduServer.taskId)/creations" else {
            problems.append("unexpected \(method) \(path)")
            return reply(FakeViduServer.error(404, "TaskNotFound", "task not found"))
        }
        polls.append(path)
        if !body.isEmpty { problems.append("poll has a body") }
        if submits == 0, !script.existingTask { problems.append("polled before any create") }
        if polls.count <= script.pollReplies.count { return reply(script.pollReplies[polls.count - 1]) }
        progressPolls += 1
        let waiting = ["created", "queueing", "processing"]
        if progressPolls <= script.pollsBeforeDone { return task(waiting[min(progressPolls - 1, 2)]) }
        switch script.outcome {
        case .never: return task("processing")
        case .noState: return Self.response(200, Array(#"{"id":"\#(FakeViduServer.taskId)","creations":[]}"#.utf8))
        case .failed(let code): return task("failed", errCode: code)
        case .success:
            let creations = (0..<script.creations).map { index -> JSONValue in
                let base = "\(baseURL)/vidu-cdn/\(FakeViduServer.taskId)/\(index)"
                return .object(["id": .string("c-\(index + 1)"), "url": .string(base + ".png?sig=1"),
                                "cover_url": .string(base + "-cover.png"), "watermarked_url": .string(base + "-wm.png")])
            }
            return task("success", creations: creations)
        }
    }

    private func task(_ state: String, errCode: String = "", creations: [JSONValue] = []) -> Response {
        let body = JSONValue.object(["id": .string(FakeViduServer.taskId), "state": .string(state),
                                     "err_code": .string(errCode), "credits": .int(2), "payload": .string(payload),
                                     "creations": .array(creations)])
        return Self.response(200, Array(body.encoded()))
    }

    private func reply(_ answer: FakeViduServer.Reply) -> Response {
        Self.response(answer.status, Array(answer.body.utf8), headers: answer.headers)
    }

    /// Field-by-field differences (names, presence, JSON types and values).
    static func diff(_ expected: JSONValue, _ actual: JSONValue, at path: String) -> [String] {
        if case .object(let want) = expected, case .object(let got) = actual {
            return Set(want.keys).union(got.keys).sorted().flatMap { key -> [String] in
                switch (want[key], got[key]) {
                case (nil, _): return ["\(path).\(key) is unexpected"]
                case (_, nil): return ["\(path).\(key) is missing"]
                case (let w?, let g?): return diff(w, g, at: "\(path).\(key)")
                }
            }
        }
        if case .array(let want) = expected, case .array(let got) = actual, want.count == got.count {
            return zip(want, got).enumerated().flatMap { diff($1.0, $1.1, at: "\(path)[\($0)]") }
        }
        return expected == actual ? [] : ["\(path) is \(actual), expected \(expected)"]
    }

    private static func response(_ status: Int, _ bytes: [UInt8], type: String = "application/json",
                                 headers: [String: String] = [:]) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = type
        for (name, value) in headers { if let name = HTTPField.Name(name) { fields[name] = value } }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
