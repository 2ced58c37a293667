import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
@testable import EaselEngines

/// A wire-exact stand-in for DashScope's Qwen-Image API (providers.md §5): a Hummingbird app on 127.0.0.1 and an
/// ephemeral port that checks the Bearer key, the `X-DashScope-Async` header and every body field (exactly, and
/// against the documented limits), answers the synchronous `multimodal-generation` call or plays an async task
/// through `PENDING → RUNNING → SUCCEEDED/FAILED`, with errors as `{"request_id","code","message"}`.
struct FakeDashScopeServer: FakeTaskServer {
    /// A status, body and extra headers sent verbatim.
    typealias Reply = FakeReply

    /// How the async task ends.
    enum Outcome: FakeTaskOutcome {
        case succeeded
        /// `FAILED` with `output.code` / `output.message` (HTTP 200).
        case failed(code: String, message: String)
        /// `SUCCEEDED` but every result carries an error instead of a URL.
        case resultsFailed(code: String)
        case canceled
        case never

        static var documentedSuccess: Self { .succeeded }
        /// `PENDING`, then `RUNNING`.
        static var waitingPolls: Int { 2 }
    }

    /// What the fake expects and how it answers.
    struct Script: FakeTaskScript {
        /// `sync` (`multimodal-generation`) or `async` (`image-synthesis` + `/tasks`).
        var async = false
        /// The exact body of the generation or submit call.
        var body: JSONValue
        /// Answer to that call instead of the documented success.
        var reply: Reply?
        var images = 1
        var play = FakeTaskPlay<Outcome>()
    }

    static let apiKey = "sk-dashscope-test-5e2c"
    static let taskId = "0385dc79-5ff8-4d82-bcb6-58b1a9f1e2c4"
    static let syncPath = "/api/v1/services/aigc/multimodal-generation/generation"
    static let asyncPath = "/api/v1/services/aigc/text2image/image-synthesis"
    let baseURL: String
    let state: DashScopeFakeState

    /// The bytes served for result `index`.
    static func image(_ index: Int) -> [UInt8] {
        SandboxRenderer().render(prompt: "qwen", seed: 5, index: index, width: 64, height: 40, format: .png).bytes
    }

    /// Runs `body` against a fresh fake, stopped afterwards whatever happens.
    static func with<T>(script: Script, _ body: (FakeDashScopeServer) async throws -> T) async throws -> T {
        try await serve("fake-dashscope", DashScopeFakeState(script: script), body)
    }

    /// Documented limits the real service enforces (providers.md §5), whatever the exact body expected.
    static func limitProblems(_ body: JSONValue, async: Bool) -> [String] {
        var found: [String] = []
        let model = body["model"]?.lenientString ?? ""
        let parameters = body["parameters"]?.objectValue ?? [:]
        let fixed = ["1664*928", "1472*1140", "1328*1328", "1140*1472", "928*1664"]
        if let size = parameters["size"]?.lenientString {
            let sides = size.split(separator: "*").compactMap { Int($0) }
            if sides.count != 2 || size.contains("x") { found.append("size \(size) is not W*H") }
            else if model == "qwen-image" || model.hasPrefix("qwen-image-plus") { if !fixed.contains(size) { found.append("size \(size) not allowed") } }
            else if model.contains("edit") { if !sides.allSatisfy({ (512...2048).contains($0) }) { found.append("side outside [512,2048]") } }
            else if !(262_144...4_194_304).contains(sides[0] * sides[1]) { found.append("area outside [512²,2048²]") }
        }
        if let seed = parameters["seed"]?.lenientInt, !(0...2_147_483_647).contains(seed) { found.append("seed out of range") }
        let n = parameters["n"]?.lenientInt ?? 1
        let fixedModel = model == "qwen-image" || model.hasPrefix("qwen-image-plus")
        if !(1...(fixedModel ? 1 : 6)).contains(n) { found.append("n \(n) not allowed for \(model)") }
        if async {
            if !["qwen-image-plus", "qwen-image"].contains(model) { found.append("\(model) has no async API") }
            return found
        }
        let messages = body["input"]?["messages"]?.arrayValue ?? []
        let content = messages.first?["content"]?.arrayValue ?? []
        if messages.count != 1 || messages.first?["role"] != .string("user") { found.append("not one user message") }
        if content.filter({ $0["text"] != nil }).count != 1 { found.append("not exactly one text item") }
        for item in content {
            guard let image = item["image"]?.lenientString else { continue }
            if image.hasPrefix("data:") {
                let parts = image.split(separator: ",", maxSplits: 1)
                let bytes = parts.count == 2 ? Data(base64Encoded: String(parts[1])).map(Array.init) : nil
                if !image.hasPrefix("data:image/") || !(parts.first?.hasSuffix(";base64") ?? false)
                    || bytes.flatMap(ImageProbe.inspect) == nil { found.append("image data URL is not a decodable image") }
            } else if !image.hasPrefix("http://") && !image.hasPrefix("https://") && !image.hasPrefix("oss://") {
                found.append("image is neither URL nor data URL")
            }
        }
        return found
    }
}

/// The fake's memory: what it was told to do and what it saw.
actor DashScopeFakeState: FakeTaskRecorder {
    var memory: FakeTaskMemory<FakeDashScopeServer.Script>

    init(script: FakeDashScopeServer.Script) { memory = FakeTaskMemory(script) }

    func respond(to incoming: FakeRequest) async throws -> FakeReply {
        let body = incoming.body
        let path = incoming.path, method = incoming.method
        if let download = incoming.resultDownload(under: "/results/", problems: &problems, { index, _ in
            FakeReply(status: 200, body: FakeDashScopeServer.image(index), type: "image/png")
        }) { return download }
        guard incoming.header("authorization") == "Bearer " + FakeDashScopeServer.apiKey else {
            return error(401, "InvalidApiKey", "Invalid API-key provided.")
        }
        let asyncHeader = incoming.header("X-DashScope-Async")
        if method == "GET", path == "/api/v1/tasks/" + FakeDashScopeServer.taskId {
            polls.append(path)
            if !body.isEmpty || asyncHeader != nil { problems.append("poll has a body or the async header") }
            return poll()
        }
        if method == "GET", path.hasPrefix("/api/v1/tasks/") {
            return .json(200, .object(["request_id": .string("r"), "output": .object(["task_id": .string(String(path.dropFirst(14))),
                                                                                            "task_status": .string("UNKNOWN")])]))
        }
        let isAsync = path == FakeDashScopeServer.asyncPath
        guard method == "POST", isAsync == script.async, isAsync || path == FakeDashScopeServer.syncPath else {
            problems.append("unexpected \(method) \(path)")
            return error(404, "InvalidURL", "url not found")
        }
        submits += 1
        if incoming.header("content-type") != "application/json" { problems.append("Content-Type is not application/json") }
        if isAsync, asyncHeader != "enable" {
            problems.append("image-synthesis without X-DashScope-Async: enable")
            return error(403, "AccessDenied", "current user api does not support synchronous calls")
        }
        if !isAsync, asyncHeader != nil { problems.append("X-DashScope-Async sent to the sync endpoint") }
        guard let json = try? JSONValue.parse(body) else { return error(400, "InvalidParameter", "body is not JSON") }
        let found = FakeUpstream.diff(script.body, json, at: "body") + FakeDashScopeServer.limitProblems(json, async: isAsync)
        problems += found
        if !found.isEmpty { return error(400, "InvalidParameter", found.joined(separator: "; ")) }
        if let answer = script.reply { return answer }
        if isAsync {
            return .json(200, .object(["request_id": .string("4909100c"), "output": .object([
                "task_status": .string("PENDING"), "task_id": .string(FakeDashScopeServer.taskId)])]))
        }
        let content = (0..<script.images).map { JSONValue.object(["image": .string("\(baseURL)/results/\($0).png?Expires=1")]) }
        return .json(200, .object([
            "request_id": .string("bf37ca26-0abe-98e4-8065"),
            "output": .object(["choices": .array([.object(["finish_reason": .string("stop"), "message": .object([
                "role": .string("assistant"), "content": .array(content)])])])]),
            "usage": .object(["width": .int(64), "height": .int(40), "image_count": .int(Int64(script.images))])]))
    }

    private func poll() -> FakeReply {
        var output: [String: JSONValue] = ["task_id": .string(FakeDashScopeServer.taskId)]
        let status: String
        switch memory.advance() {
        case .scripted(let answer): return answer
        case .waiting(let poll): status = poll == 1 ? "PENDING" : "RUNNING"
        case .done:
            switch script.play.outcome {
            case .never: status = "RUNNING"
            case .canceled: status = "CANCELED"
            case .failed(let code, let message):
                (status, output["code"], output["message"]) = ("FAILED", .string(code), .string(message))
            case .resultsFailed(let code):
                status = "SUCCEEDED"
                output["results"] = .array([.object(["code": .string(code), "message": .string("inappropriate content")])])
            case .succeeded:
                status = "SUCCEEDED"
                output["results"] = .array((0..<script.images).map {
                    .object(["orig_prompt": .string("p"), "actual_prompt": .string("p"), "url": .string("\(baseURL)/results/\($0).png")])
                })
            }
        }
        output["task_status"] = .string(status)
        return .json(200, .object(["request_id": .string("7434edb2"), "output": .object(output)]))
    }

    private func error(_ status: Int, _ code: String, _ message: String) -> FakeReply {
        .json(status, .object(["request_id": .string("31f808fd-8eef-9004"), "code": .string(code), "message": .string(message)]))
    }
}
