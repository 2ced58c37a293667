import AsyncHTTPClient
import EaselCore
import EaselEngines
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A midjourney-proxy stand-in (providers.md §9) on 127.0.0.1 and a free port. It checks every request on the wire
/// (secret header, JSON body keys and types, data URLs that decode to images), records what arrived in order, walks
/// each job through NOT_START → SUBMITTED → MODAL → IN_PROGRESS 25% → 75% → the planned end, and serves the grid.
actor FakeMidjourneyServer {
    /// How a job ends.
    enum Plan: Sendable {
        case succeed
        case fail(String)
        case cancel
        /// Stays IN_PROGRESS forever.
        case stall
    }

    /// What the submit endpoint answers.
    enum SubmitAnswer: Sendable {
        /// HTTP 200 with this `code` and a job id.
        case accept(code: Int)
        /// HTTP 200 with this `code`, no job.
        case refuse(code: Int, description: String)
        /// This HTTP status with a relay's error body.
        case http(Int)
        /// HTTP 200 with a body that is not JSON.
        case malformed
    }

    /// The scenario.
    struct Setup: Sendable {
        var secret = "mj-secret-0123"
        var bearer = false
        var submit = SubmitAnswer.accept(code: 1)
        var plan = Plan.succeed
        /// The first fetches answer 503.
        var fetchHiccups = 0
        /// Every fetch answers a body that is not JSON.
        var malformedFetch = false
        /// `imageUrl` names `localhost` instead of the proxy's `127.0.0.1`, like a CDN on another origin.
        var imageOnOtherOrigin = false
        /// The grid is an HTML page instead of an image.
        var gridIsHTML = false
        /// Jobs that exist before the test (for resume).
        var existingJobs: [String] = []
    }

    let setup: Setup
    /// `submit`, `fetch <id>`, `grid <secret header present>`, and whatever tests `note`.
    private(set) var events: [String] = []
    /// The submit bodies.
    private(set) var submits: [JSONValue] = []
    /// Wire-format problems seen.
    private(set) var violations: [String] = []
    private var fetches: [String: Int] = [:]
    private var nextId = 1_712_205_491_372
    private var port = 0
    /// The grid served for every job.
    let grid = SandboxRenderer().render(prompt: "grid", seed: 7, index: 0, width: 96, height: 64, format: .png)

    init(setup: Setup) {
        self.setup = setup
        for id in setup.existingJobs { fetches[id] = 0 }
    }

    /// Appends to the event log (tests record their checkpoints here to check the order).
    func note(_ event: String) { events.append(event) }

    /// Runs the fake and an HTTP client for `body`, then shuts both down.
    static func with<T: Sendable>(_ setup: Setup = Setup(),
                                  _ body: @Sendable (FakeMidjourneyServer, String, UpstreamHTTP) async throws -> T) async throws -> T {
        let fake = FakeMidjourneyServer(setup: setup)
        return try await FakeUpstream.runWithClient("FakeMidjourneyServer", respond: { await fake.respond(to: $0) }) { upstream, http in
            await fake.started(port: Int(upstream.baseURL.split(separator: ":").last ?? "") ?? 0)
            return try await body(fake, upstream.baseURL, http)
        }
    }

    private func respond(to request: FakeRequest) -> FakeReply {
        let parts = request.path.split(separator: "/").map(String.init)
        switch (request.method, parts.count) {
        case ("POST", _) where request.path == "/mj/submit/imagine": return submit(headers: request.headers, body: request.body)
        case ("GET", 4) where parts[0] == "mj" && parts[1] == "task" && parts[3] == "fetch":
            return fetch(parts[2], headers: request.headers)
        case ("GET", 3) where parts[0] == "attachments" && parts[2] == "grid.png": return gridImage(headers: request.headers)
        default: return .text(404, "", type: "")
        }
    }

    private func started(port: Int) { self.port = port }

    // MARK: Endpoints

    private func authorized(_ headers: [String: String]) -> Bool {
        if setup.bearer { return headers["authorization"] == "Bearer " + setup.secret && headers["mj-api-secret"] == nil }
        if headers["authorization"] != nil { violations.append("unexpected Authorization header") }
        return headers["mj-api-secret"] == setup.secret
    }

    private func submit(headers: [String: String], body: [UInt8]) -> FakeReply {
        events.append("submit")
        guard authorized(headers) else {
            return FakeReply(status: 401, json: #"{"error":{"message":"Unauthorized","type":"authentication_error"}}"#)
        }
        if headers["content-type"] != "application/json" { violations.append("submit Content-Type \(headers["content-type"] ?? "none")") }
        guard let json = try? JSONValue.parse(body), let fields = json.objectValue else {
            violations.append("submit body is not a JSON object")
            return FakeReply(status: 400, json: #"{"code":4,"description":"bad body"}"#)
        }
        submits.append(json)
        for key in fields.keys where !["prompt", "base64Array", "state", "notifyHook"].contains(key) {
            violations.append("unknown submit field \(key)")
        }
        if case .string(let prompt)? = fields["prompt"], !prompt.isEmpty {} else { violations.append("prompt missing") }
        if let state = fields["state"], state.lenientString == nil { violations.append("state is not a string") }
        if let images = fields["base64Array"] {
            for item in images.arrayValue ?? [.null] where !Self.isImageDataURL(item) {
                violations.append("base64Array item is not an image data URL")
            }
        }
        switch setup.submit {
        case .accept(let code):
            nextId += 1
            fetches[String(nextId)] = 0
            return FakeReply(status: 200, json: .object(["code": .int(Int64(code)), "description": .string("提交成功"),
                                                            "result": .string(String(nextId)), "properties": .object([:])]))
        case .refuse(let code, let description):
            return FakeReply(status: 200, json: .object(["code": .int(Int64(code)), "description": .string(description),
                                                            "result": .null, "properties": .object([:])]))
        case .http(let status):
            return FakeReply(status: status, json: #"{"error":{"message":"upstream trouble","type":"server_error"}}"#)
        case .malformed:
            return FakeReply(status: 200, body: Array("<html>bad gateway</html>".utf8), type: "text/html")
        }
    }

    private static func isImageDataURL(_ item: JSONValue) -> Bool {
        guard case .string(let text) = item, text.hasPrefix("data:image/"), let comma = text.firstIndex(of: ","),
              text[..<comma].hasSuffix(";base64"), let data = Data(base64Encoded: String(text[text.index(after: comma)...])),
              let info = ImageProbe.inspect(Array(data)) else { return false }
        return text.hasPrefix("data:\(info.format.contentType);")
    }

    private func fetch(_ id: String, headers: [String: String]) -> FakeReply {
        events.append("fetch \(id)")
        guard authorized(headers) else { return FakeReply(status: 401, json: #"{"error":{"message":"Unauthorized"}}"#) }
        // midjourney-proxy answers an unknown id with an empty 200.
        guard let count = fetches[id] else { return FakeReply(status: 200, body: [], type: "application/json") }
        fetches[id] = count + 1
        if count < setup.fetchHiccups { return FakeReply(status: 503, json: #"{"error":"busy"}"#) }
        if setup.malformedFetch { return FakeReply(status: 200, body: Array("{\"id\":".utf8), type: "application/json") }
        let steps: [(String, String)] = [("NOT_START", "0%"), ("SUBMITTED", "0%"), ("MODAL", "0%"),
                                         ("IN_PROGRESS", "25%"), ("IN_PROGRESS", "75%")]
        var (status, progress, failReason, imageUrl) = ("IN_PROGRESS", "50%", "", "")
        let step = count - setup.fetchHiccups
        if step < steps.count {
            (status, progress) = steps[step]
        } else {
            switch setup.plan {
            case .succeed:
                (status, progress) = ("SUCCESS", "100%")
                imageUrl = "http://\(setup.imageOnOtherOrigin ? "localhost" : "127.0.0.1"):\(port)/attachments/\(id)/grid.png"
            case .fail(let reason): (status, failReason) = ("FAILURE", reason)
            case .cancel: status = "CANCEL"
            case .stall: break
            }
        }
        return FakeReply(status: 200, json: .object([
            "id": .string(id), "action": .string("IMAGINE"), "prompt": .string("a cat"), "promptEn": .string("a cat"),
            "description": .string("/imagine a cat"), "state": .string(""), "submitTime": .int(1_712_205_491_372), "startTime": .int(1_712_205_492_000),
            "finishTime": status == "SUCCESS" ? .int(1_712_205_551_000) : .null, "imageUrl": .string(imageUrl),
            "status": .string(status), "progress": .string(progress), "failReason": .string(failReason),
            "properties": .object([:]), "buttons": .array([]),
        ]))
    }

    private func gridImage(headers: [String: String]) -> FakeReply {
        events.append("grid \(headers["mj-api-secret"] != nil || headers["authorization"] != nil)")
        if setup.gridIsHTML { return FakeReply(status: 200, body: Array("<html>login</html>".utf8), type: "text/html") }
        return FakeReply(status: 200, body: grid.bytes, type: "image/png")
    }
}
