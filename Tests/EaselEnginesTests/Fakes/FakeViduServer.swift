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
struct FakeViduServer: FakeTaskServer {
    /// A status, body and extra headers sent verbatim.
    typealias Reply = FakeReply

    /// How the task ends.
    enum Outcome: FakeTaskOutcome {
        case success
        /// `failed` with this `err_code`.
        case failed(String)
        /// An answer without `state`.
        case noState
        /// Never leaves `processing`.
        case never

        static var documentedSuccess: Self { .success }
        /// `created`, `queueing`, then `processing`.
        static var waitingPolls: Int { 3 }
    }

    /// What the fake expects and how it plays the task.
    struct Script: FakeTaskScript {
        /// The exact JSON body the create must carry.
        var body: JSONValue
        /// Answer to the create instead of the documented success.
        var submitReply: Reply?
        /// Creations in the result.
        var creations = 1
        var play = FakeTaskPlay<Outcome>()
    }

    /// The id the fake gives its task.
    static let taskId = "880123456789"
    /// The API key the fake accepts.
    static let apiKey = "vda_test_4c2e91"
    /// `http://127.0.0.1:<port>`.
    let baseURL: String
    let state: ViduFakeState

    /// The bytes served for creation `index`, watermarked or not.
    static func image(_ index: Int, watermarked: Bool = false) -> [UInt8] {
        let renderer = SandboxRenderer()
        return renderer.render(prompt: "vidu", seed: watermarked ? 2 : 1, index: index, width: 48, height: 64, format: .png).bytes
    }

    /// Runs `body` against a fresh fake, which is stopped afterwards whatever happens.
    static func with<T>(script: Script, _ body: (FakeViduServer) async throws -> T) async throws -> T {
        try await serve("fake-vidu", ViduFakeState(script: script), body)
    }

    /// Vidu's error body (§7; shape unconfirmed upstream).
    static func error(_ status: Int, _ reason: String, _ message: String, headers: [String: String] = [:]) -> Reply {
        let body = #"{"code":\#(status),"reason":"\#(reason)","message":"\#(message)","metadata":{"trace_id":"abc"}}"#
        return Reply(status: status, body: body, headers: headers)
    }
}

/// The fake's memory: what it was told to do and what it saw.
actor ViduFakeState: FakeTaskRecorder {
    var memory: FakeTaskMemory<FakeViduServer.Script>
    private var payload = ""

    init(script: FakeViduServer.Script) { memory = FakeTaskMemory(script) }

    func respond(to incoming: FakeRequest) async throws -> FakeReply {
        let path = incoming.path, method = incoming.method
        let authorization = incoming.header("authorization")
        if let download = incoming.resultDownload(under: "/vidu-cdn/", problems: &problems, { index, name in
            FakeReply(status: 200, body: FakeViduServer.image(index, watermarked: name.contains("-wm")), type: "image/png")
        }) { return download }
        guard authorization == "Token " + FakeViduServer.apiKey else {
            problems.append("Authorization is \(authorization ?? "absent"), expected Token <key>")
            return FakeViduServer.error(401, "Unauthorized", "invalid token")
        }
        if method == "POST", path == "/ent/v2/reference2image" {
            submits += 1
            if incoming.header("content-type") != "application/json" {
                problems.append("Content-Type is not application/json")
            }
            guard let json = incoming.json else {
                problems.append("create body is not JSON")
                return FakeViduServer.error(400, "BadRequest", "invalid json")
            }
            let found = FakeUpstream.diff(script.body, json, at: "body")
            problems += found
            if !found.isEmpty { return FakeViduServer.error(400, "FieldInvalid", found.joined(separator: "; ")) }
            if let answer = script.submitReply { return answer }
            payload = json["payload"]?.lenientString ?? ""
            var echo = json.objectValue ?? [:]
            echo.merge(["task_id": .string(FakeViduServer.taskId), "state": .string("created"), "credits": .int(2),
                        "created_at": .string("2025-09-08T09:53:22.083033428Z")]) { $1 }
            return .json(200, .object(echo))
        }
        guard method == "GET", path == "/ent/v2/tasks/\(FakeViduServer.taskId)/creations" else {
            problems.append("unexpected \(method) \(path)")
            return FakeViduServer.error(404, "TaskNotFound", "task not found")
        }
        polls.append(path)
        if !incoming.body.isEmpty { problems.append("poll has a body") }
        switch memory.advance() {
        case .scripted(let answer): return answer
        case .waiting(let poll): return task(["created", "queueing", "processing"][min(poll - 1, 2)])
        case .done: break
        }
        switch script.play.outcome {
        case .never: return task("processing")
        case .noState: return .text(200, #"{"id":"\#(FakeViduServer.taskId)","creations":[]}"#)
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

    private func task(_ state: String, errCode: String = "", creations: [JSONValue] = []) -> FakeReply {
        let body = JSONValue.object(["id": .string(FakeViduServer.taskId), "state": .string(state),
                                     "err_code": .string(errCode), "credits": .int(2), "payload": .string(payload),
                                     "creations": .array(creations)])
        return .json(200, body)
    }
}
