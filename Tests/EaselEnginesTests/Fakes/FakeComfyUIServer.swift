import AsyncHTTPClient
import EaselCore
import EaselEngines
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A ComfyUI stand-in (providers.md §11b) on 127.0.0.1 and a free port. It parses multipart uploads part by part,
/// checks `/prompt` bodies (exactly `prompt` and `client_id`, a UUID; every node with `class_type` and `inputs`;
/// LoadImage names an uploaded file; the checkpoint is installed — else the real 400 with `node_errors`), keeps each
/// prompt pending, then running, then finished in `/history` and `/queue`, and renders the outputs at the size and
/// batch written into node 5, named after SaveImage's `filename_prefix`.
actor FakeComfyUIServer {
    /// How a prompt ends.
    enum Plan: Sendable {
        case succeed
        /// `execution_error` in node 3 (KSampler).
        case outOfMemory
        /// ComfyUI restarted: the prompt vanishes from queue and history.
        case vanish
    }

    /// The scenario.
    struct Setup: Sendable {
        /// The Bearer token every request must carry; nil means none may.
        var token: String?
        var plan = Plan.succeed
        /// `/prompt` answers this status (500, …) instead of working.
        var promptStatus: Int?
        /// History polls while queued, then while running.
        var pendingPolls = 2
        var runningPolls = 2
        /// Prompts that exist before the test (for resume), with their graphs.
        var existing: [String: JSONValue] = [:]
    }

    /// An upload as it arrived, or one part of a multipart body.
    typealias Upload = (filename: String, contentType: String, bytes: [UInt8], fields: [String: String])
    typealias Part = (name: String, filename: String?, type: String?, body: [UInt8])

    let setup: Setup
    /// `upload <name>`, `prompt`, `history`, `queue`, `view <filename>`, and whatever tests `note`.
    private(set) var events: [String] = []
    private(set) var uploads: [Upload] = []
    /// The `/prompt` bodies.
    private(set) var prompts: [JSONValue] = []
    private(set) var violations: [String] = []
    private var graphs: [String: JSONValue] = [:]
    private var polls: [String: Int] = [:]
    private var outputs: [String: EncodedImage] = [:]

    init(setup: Setup) {
        self.setup = setup
        graphs = setup.existing
    }

    /// Appends to the event log (tests record their checkpoints here to check the order).
    func note(_ event: String) { events.append(event) }

    /// Runs the fake and an HTTP client for `body`, then shuts both down.
    static func with<T: Sendable>(_ setup: Setup = Setup(),
                                  _ body: @Sendable (FakeComfyUIServer, String, UpstreamHTTP) async throws -> T) async throws -> T {
        let fake = FakeComfyUIServer(setup: setup)
        return try await FakeUpstream.runWithClient("FakeComfyUIServer", respond: { await fake.respond(to: $0) }) { upstream, http in
            try await body(fake, upstream.baseURL, http)
        }
    }

    private func respond(to request: FakeRequest) -> FakeReply {
        let headers = request.headers
        switch (request.method, request.path) {
        case ("POST", "/upload/image"): return upload(headers: headers, body: request.body)
        case ("POST", "/prompt"): return prompt(headers: headers, body: request.body)
        case ("GET", "/queue"): return queue(headers: headers)
        case ("GET", "/view"):
            let query = request.queryItems
            return view(request.query, filename: query["filename"], subfolder: query["subfolder"], type: query["type"],
                        headers: headers)
        case ("GET", let path) where path.hasPrefix("/history/") && path.split(separator: "/").count == 2:
            return history(String(path.dropFirst("/history/".count)), headers: headers)
        default: return .text(404, "", type: "")
        }
    }

    private func authorized(_ headers: [String: String]) -> Bool {
        headers["authorization"] == setup.token.map { "Bearer " + $0 }
    }

    private static let unauthorized = FakeReply(status: 401, text: "401: Unauthorized")

    private func upload(headers: [String: String], body: [UInt8]) -> FakeReply {
        guard authorized(headers) else { return Self.unauthorized }
        let type = headers["content-type"] ?? ""
        let parts = type.hasPrefix("multipart/form-data; boundary=") ? Self.multipart(body, boundary: String(type.dropFirst(30))) : nil
        guard let parts else {
            violations.append("upload is not multipart/form-data: \(type)")
            return FakeReply(status: 400, text: "400: Bad Request")
        }
        if parts.map(\.name) != ["image", "type", "overwrite"] { violations.append("upload parts \(parts.map(\.name))") }
        guard let image = parts.first(where: { $0.name == "image" }), let filename = image.filename,
              let info = ImageProbe.inspect(image.body), image.type == info.format.contentType,
              filename.hasSuffix("." + info.format.fileExtension), !filename.contains("/") else {
            violations.append("upload image part is not a named image file")
            return FakeReply(status: 400, text: "400: Bad Request")
        }
        var fields: [String: String] = [:]
        for part in parts where part.filename == nil { fields[part.name] = String(decoding: part.body, as: UTF8.self) }
        if fields != ["type": "input", "overwrite": "true"] { violations.append("upload fields \(fields)") }
        uploads.append((filename, image.type ?? "", image.body, fields))
        events.append("upload \(filename)")
        return FakeReply(status: 200, text: #"{"name": \#(Self.quoted(filename)), "subfolder": "", "type": "input"}"#)
    }

    private func prompt(headers: [String: String], body: [UInt8]) -> FakeReply {
        events.append("prompt")
        guard authorized(headers) else { return Self.unauthorized }
        if headers["content-type"] != "application/json" { violations.append("prompt Content-Type \(headers["content-type"] ?? "none")") }
        guard let json = try? JSONValue.parse(body), let fields = json.objectValue, case .object(let graph)? = fields["prompt"] else {
            violations.append("prompt body is not {prompt: {...}}")
            return FakeReply(status: 400, text: #"{"error": {"type": "invalid_prompt", "message": "bad"}, "node_errors": []}"#)
        }
        prompts.append(json)
        if Set(fields.keys) != ["prompt", "client_id"] { violations.append("prompt fields \(fields.keys.sorted())") }
        if fields["client_id"]?.lenientString.flatMap(UUID.init(uuidString:)) == nil { violations.append("client_id is not a UUID") }
        var nodeErrors: [String] = []
        for (id, node) in graph.sorted(by: { $0.key < $1.key }) {
            guard let kind = node["class_type"]?.lenientString, let inputs = node["inputs"]?.objectValue else {
                violations.append("node \(id) lacks class_type/inputs")
                continue
            }
            let problem: String? = switch kind {
            case "CheckpointLoaderSimple" where inputs["ckpt_name"] != .string("v1-5-pruned-emaonly.safetensors"):
                "ckpt_name: '\(inputs["ckpt_name"]?.lenientString ?? "")' not in ['v1-5-pruned-emaonly.safetensors']"
            // Like a fresh install, `input/` holds ComfyUI's example.png besides what was uploaded.
            case "LoadImage" where !(uploads.map(\.filename) + ["example.png"]).contains(inputs["image"]?.lenientString ?? ""):
                "Invalid image file: \(inputs["image"]?.lenientString ?? "")"
            default: nil
            }
            if let problem {
                nodeErrors.append(#""\#(id)": {"errors": [{"type": "value_not_in_list", "message": "Value not in list", "details": "#
                                  + #"\#(Self.quoted(problem)), "extra_info": {}}], "dependent_outputs": ["9"], "class_type": "\#(kind)"}"#)
            }
        }
        if let status = setup.promptStatus { return FakeReply(status: status, text: "500: Internal Server Error") }
        guard nodeErrors.isEmpty else {
            return FakeReply(status: 400, text: #"{"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt "#
                                  + #"outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"#
                                  + nodeErrors.joined(separator: ", ") + "}}")
        }
        let id = UUID().uuidString.lowercased()
        graphs[id] = .object(graph)
        return FakeReply(status: 200, text: #"{"prompt_id": "\#(id)", "number": \#(graphs.count), "node_errors": {}}"#)
    }

    /// Where a prompt is: `pending`, `running`, `done` or nil (unknown or vanished).
    private func place(_ id: String) -> String? {
        guard graphs[id] != nil, setup.plan != .vanish else { return nil }
        let count = polls[id, default: 0]
        return count < setup.pendingPolls ? "pending" : count < setup.pendingPolls + setup.runningPolls ? "running" : "done"
    }

    private func history(_ id: String, headers: [String: String]) -> FakeReply {
        events.append("history")
        guard authorized(headers) else { return Self.unauthorized }
        let state = place(id)
        polls[id, default: 0] += 1
        guard state == "done", let graph = graphs[id] else { return FakeReply(status: 200, text: "{}") }
        let started = #"["execution_start", {"prompt_id": "\#(id)", "timestamp": 1724000000000}]"#
        if setup.plan == .outOfMemory {
            return FakeReply(status: 200, text: #"{"\#(id)": {"prompt": [], "outputs": {}, "status": {"status_str": "error", "#
                + #""completed": false, "messages": [\#(started), ["execution_error", {"prompt_id": "\#(id)", "node_id": "3", "#
                + #""node_type": "KSampler", "exception_type": "torch.OutOfMemoryError", "exception_message": "CUDA out of memory", "#
                + #""traceback": []}]]}}}"#)
        }
        let latent = graph["5"]?["inputs"]
        let prefix = graph["9"]?["inputs"]?["filename_prefix"]?.lenientString ?? "ComfyUI"
        var saved: [String] = []
        for index in 0..<Int(latent?["batch_size"]?.lenientInt ?? 1) {
            let name = "\(prefix)_\(String(format: "%05d", index + 1))_.png"
            outputs[name] = SandboxRenderer().render(prompt: graph["6"]?["inputs"]?["text"]?.lenientString ?? "", seed: 1, index: index,
                                                     width: Int(latent?["width"]?.lenientInt ?? 8),
                                                     height: Int(latent?["height"]?.lenientInt ?? 8), format: .png)
            saved.append(#"{"filename": \#(Self.quoted(name)), "subfolder": "", "type": "output"}"#)
        }
        let encoded = String(decoding: graph.encoded(), as: UTF8.self)
        return FakeReply(status: 200, text: #"{"\#(id)": {"prompt": [1, "\#(id)", \#(encoded), {}, ["9"]], "outputs": {"12": "#
            + #"{"images": [{"filename": "ComfyUI_temp_abcde_00001_.png", "subfolder": "", "type": "temp"}]}, "9": {"images": ["#
            + saved.joined(separator: ", ") + #"]}}, "status": {"status_str": "success", "completed": true, "messages": ["#
            + started + #", ["execution_success", {"prompt_id": "\#(id)", "timestamp": 1724000004000}]]}}}"#)
    }

    private func queue(headers: [String: String]) -> FakeReply {
        events.append("queue")
        guard authorized(headers) else { return Self.unauthorized }
        let entries = { (state: String) in
            self.graphs.keys.sorted().filter { self.place($0) == state }.map { #"[1, "\#($0)", {}, {}, ["9"]]"# }.joined(separator: ", ")
        }
        return FakeReply(status: 200, text: #"{"queue_running": [\#(entries("running"))], "queue_pending": [\#(entries("pending"))]}"#)
    }

    private func view(_ rawQuery: String, filename: String?, subfolder: String?, type: String?,
                      headers: [String: String]) -> FakeReply {
        guard authorized(headers) else { return Self.unauthorized }
        events.append("view \(filename ?? "")")
        if rawQuery.contains("+") || rawQuery.contains(" ") { violations.append("view query not percent-encoded: \(rawQuery)") }
        if type != "output" || subfolder != "" { violations.append("view query \(rawQuery)") }
        guard let image = outputs[filename ?? ""] else { return FakeReply(status: 404, text: "404: Not Found") }
        return FakeReply(status: 200, body: image.bytes, type: "image/png")
    }

    private static func quoted(_ text: String) -> String { String(decoding: JSONValue.string(text).encoded(), as: UTF8.self) }

    /// The parts of a multipart body (name, filename, Content-Type, bytes), or nil when it is not well formed.
    static func multipart(_ body: [UInt8], boundary: String) -> [Part]? {
        // With a CRLF in front, every delimiter reads `\r\n--boundary`, the first one included.
        let data = [13, 10] + body
        let delimiter = Array("\r\n--\(boundary)".utf8)
        var cuts: [Int] = []
        var index = 0
        while index + delimiter.count <= data.count {
            if data[index..<index + delimiter.count].elementsEqual(delimiter) { cuts.append(index) }
            index += 1
        }
        guard cuts.first == 0, let last = cuts.last, data[(last + delimiter.count)...].elementsEqual("--\r\n".utf8) else { return nil }
        var parts: [Part] = []
        for (start, end) in zip(cuts, cuts.dropFirst()) {
            let chunk = Array(data[(start + delimiter.count)..<end])
            guard chunk.starts(with: [13, 10]),
                  let split = (2..<max(chunk.count - 3, 2)).first(where: { chunk[$0..<$0 + 4].elementsEqual([13, 10, 13, 10]) }) else { return nil }
            let head = String(decoding: chunk[2..<split], as: UTF8.self)
            let name = head.firstMatch(of: /Content-Disposition: form-data; name="([^"]*)"/)?.1
            let filename = head.firstMatch(of: /; filename="([^"]*)"/)?.1
            let type = head.firstMatch(of: /Content-Type: ([^\r]+)/)?.1
            guard let name else { return nil }
            parts.append((String(name), filename.map(String.init), type.map(String.init), Array(chunk[(split + 4)...])))
        }
        return parts
    }
}
