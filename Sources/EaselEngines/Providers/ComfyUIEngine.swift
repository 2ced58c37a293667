import EaselCore
import Foundation

/// A ComfyUI server running an operator's workflow (providers.md §11b): references go up by `POST /upload/image`,
/// the task's values are written into the API-format graph, `POST /prompt` queues it, the prompt id is recorded,
/// `GET /history/{id}` is polled (`GET /queue` tells queued from running), outputs come from `GET /view`.
///
/// Options: `workflow` (inline JSON) or `workflow_file` (a path, read at init); where values go, as `NODE.INPUT`:
/// `prompt_node` (required), `negative_node`, `seed_node`, `width_node`, `height_node`, `batch_node`, `image_node`
/// (comma-separated, one per reference in order); `output_node` (take images from it only); `poll_interval_ms` and
/// `max_image_bytes` (of the ``AsyncUpstreamJob``). An API key is sent as `Authorization: Bearer`.
/// Cancellation stops polling but leaves the prompt queued, so a task put back in the queue can resume it.
public struct ComfyUIEngine: ImageEngine {
    public let name = "comfyui"
    private let channel: UpstreamChannel
    private let http: UpstreamHTTP
    private let workflow: [String: JSONValue]
    // Where values go: `inputs[input]` of node `node`.
    private let targets: [String: (node: String, input: String)]
    private let imageTargets: [(node: String, input: String)]
    private let outputNode: String?
    private let job: AsyncUpstreamJob

    /// Creates the adapter, reading and checking the workflow and the node map; throws
    /// `ProviderEngines.ConfigurationError` naming what is missing or wrong.
    public init(channel: UpstreamChannel, http: UpstreamHTTP) throws {
        let checked = try ChannelOptions(channel, accepted: Self.nodeOptions + ["workflow", "workflow_file", "image_node",
                                                                                "output_node", "poll_interval_ms", "max_image_bytes"])
        let options = channel.options
        func fail(_ message: String) -> ProviderEngines.ConfigurationError {
            ProviderEngines.ConfigurationError(description: "upstream \(channel.name): \(message)")
        }
        let text: [UInt8]
        if let inline = options["workflow"], !inline.isEmpty {
            text = Array(inline.utf8)
        } else if let path = options["workflow_file"], !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: path) else { throw fail("cannot read workflow_file `\(path)`") }
            text = Array(data)
        } else {
            throw fail("a comfyui channel needs options.workflow (API-format JSON) or options.workflow_file (a path to one)")
        }
        guard let graph = (try? JSONValue.parse(text))?.objectValue else { throw fail("the workflow is not a JSON object") }
        if graph["nodes"]?.arrayValue != nil {
            throw fail("the workflow is in ComfyUI's UI format; export it with \"Save (API Format)\"")
        }
        for (id, node) in graph where node["class_type"]?.lenientString == nil || node["inputs"]?.objectValue == nil {
            throw fail("workflow node `\(id)` has no class_type or inputs; is it an API-format workflow?")
        }
        func target(_ spec: String, _ key: String) throws -> (node: String, input: String) {
            let parts = spec.trimmingWhitespace().split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, graph[parts[0]] != nil, !parts[1].isEmpty else {
                throw fail("options.\(key) must be NODE.INPUT naming a node of the workflow (e.g. 6.text), got `\(spec)`")
            }
            return (parts[0], parts[1])
        }
        guard options["prompt_node"] != nil else { throw fail("options.prompt_node is required (e.g. 6.text)") }
        var targets: [String: (node: String, input: String)] = [:]
        for key in Self.nodeOptions {
            if let spec = options[key] { targets[key] = try target(spec, key) }
        }
        if let node = options["output_node"], graph[node] == nil {
            throw fail("options.output_node names node `\(node)`, which the workflow lacks")
        }
        self.imageTargets = try (options["image_node"] ?? "").split(separator: ",").map { try target(String($0), "image_node") }
        let secret = channel.apiKey.flatMap { $0.isEmpty ? nil : [("Authorization", "Bearer " + $0)] } ?? []
        self.job = try AsyncUpstreamJob(channel: channel, options: checked, http: http, timedOut: JobDeadline.timedOut(by: "ComfyUI"),
                                        initialProgress: nil, idRule: (Self.isPromptID, "prompt_id")) { _ in secret }
        self.outputNode = options["output_node"]
        self.channel = channel
        self.http = http
        self.workflow = graph
        self.targets = targets
    }

    public func unsupportedReason(for request: ImageRequest) -> String? {
        if (request.outputImageCount ?? 1) > 1, targets["batch_node"] == nil { return "This ComfyUI workflow makes one image per task." }
        return request.inputs.count <= imageTargets.count ? nil
            : "This ComfyUI workflow takes \(imageTargets.isEmpty ? "no" : "at most \(imageTargets.count)") reference images."
    }

    public func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        var absences = 0
        return try await self.job.run(job, progress: progress) { _ in
            try await submit(try await graph(for: job))
        } poll: { id, _ in
            if let entry = try await get("/history/\(id)")[id], entry.objectValue != nil {
                return try finished(entry).map { .succeeded(.urls(Array($0.prefix(max(job.imageCount, 1))))) } ?? .pending(.unknown)
            }
            // `{}` while queued or running: the queue tells which, or that ComfyUI lost the prompt. Its entries are
            // `[number, prompt_id, prompt, extra_data, outputs]`; one that just finished may be in neither list.
            let queue = try await get("/queue")
            let place = ["queue_running", "queue_pending"].first { list in
                (queue[list]?.arrayValue ?? []).contains { ($0.arrayValue ?? []).dropFirst().first?.lenientString == id }
            }
            absences = place == nil ? absences + 1 : 0
            if absences >= 3 { return .failed(Self.lost) }
            return .pending(place == "queue_running" ? .percent(50) : .unknown)
        }
    }

    /// The workflow with the task's values written in; a negative prompt is written only when given, so the
    /// template's own stays otherwise.
    private func graph(for job: EngineJob) async throws -> [String: JSONValue] {
        var graph = workflow
        let request = job.request
        var values: [String: JSONValue] = [
            "prompt_node": .string(request.prompt ?? ""),
            // A fixed template seed would give every task the same picture.
            "seed_node": .int((request.seed ?? Int64.random(in: 0...Int64.max)) & Int64.max),
            "width_node": .int(Int64(job.outputSize.width)), "height_node": .int(Int64(job.outputSize.height)),
            "batch_node": .int(Int64(max(job.imageCount, 1))),
        ]
        if let negative = request.negativePrompt, !negative.isEmpty { values["negative_node"] = .string(negative) }
        for (key, value) in values { if let target = targets[key] { Self.write(value, at: target, into: &graph) } }
        for (index, image) in job.inputs.prefix(imageTargets.count).enumerated() {
            Self.write(.string(try await upload(image, index: index, taskId: job.taskId.rawValue)), at: imageTargets[index], into: &graph)
        }
        return graph
    }

    private static func write(_ value: JSONValue, at target: (node: String, input: String), into graph: inout [String: JSONValue]) {
        guard var node = graph[target.node]?.objectValue else { return }
        var inputs = node["inputs"]?.objectValue ?? [:]
        inputs[target.input] = value
        node["inputs"] = .object(inputs)
        graph[target.node] = .object(node)
    }

    private func upload(_ image: ResolvedImage, index: Int, taskId: String) async throws -> String {
        let boundary = "easel-" + UUID().uuidString
        let safeId = String(taskId.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") ? $0 : "_" })
        let filename = "easel-\(safeId)-\(index).\(image.info.format.fileExtension)"
        let field = { (name: String) in "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"" }
        let head = field("image") + "; filename=\"\(filename)\"\r\nContent-Type: \(image.info.format.contentType)\r\n\r\n"
        let tail = "\r\n" + field("type") + "\r\n\r\ninput\r\n" + field("overwrite") + "\r\n\r\ntrue\r\n--\(boundary)--\r\n"
        let body = Array(head.utf8) + image.bytes + Array(tail.utf8)
        let headers = [("Content-Type", "multipart/form-data; boundary=\(boundary)")] + auth
        let response = try await send(UpstreamRequest(method: "POST", url: channel.baseURL + "/upload/image", headers: headers,
                                                      body: body, timeout: channel.timeout))
        guard let name = response.json?["name"]?.lenientString, !name.isEmpty else {
            throw UpstreamFailure.malformed("upload answer")
        }
        let subfolder = response.json?["subfolder"]?.lenientString ?? ""
        return subfolder.isEmpty ? name : subfolder + "/" + name
    }

    private func submit(_ graph: [String: JSONValue]) async throws -> String {
        let body = JSONValue.object(["prompt": .object(graph), "client_id": .string(UUID().uuidString.lowercased())])
        let response = try await send(.json(channel.baseURL + "/prompt", body: body, headers: auth, timeout: channel.timeout))
        guard let id = response.json?["prompt_id"]?.lenientString, !id.isEmpty else { throw UpstreamFailure.malformed("prompt_id") }
        return id
    }

    /// One exchange; any answer but 200 becomes its error, with ComfyUI's validation report for a 400.
    private func send(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        let response = try await http.send(request)
        guard response.status == 200 else {
            let detail = response.status == 400 ? response.json.map(Self.validationSummary) : nil
            throw UpstreamFailure.classify(status: response.status, retryAfter: response.retryAfter, detail: detail)
        }
        return response
    }

    /// `Prompt outputs failed validation; node 4 (CheckpointLoaderSimple): Value not in list: ckpt_name: …`.
    static func validationSummary(_ json: JSONValue) -> String {
        var parts = [json["error"]?["message"]?.lenientString ?? json["error"]?.lenientString ?? "invalid workflow"]
        let nodes = json["node_errors"]?.objectValue ?? [:]
        for id in nodes.keys.sorted(by: comfyOrder) {
            let node = nodes[id]
            let errors = (node?["errors"]?.arrayValue ?? []).map { error in
                [error["message"]?.lenientString, error["details"]?.lenientString].compactMap { $0 }
                    .filter { !$0.isEmpty }.joined(separator: ": ")
            }
            parts.append("node \(id) (\(node?["class_type"]?.lenientString ?? "?")): " + errors.joined(separator: "; "))
        }
        return String(parts.joined(separator: "; ").prefix(600))
    }

    /// The output files of a history entry, nil while it is still running, or the error it ended with.
    private func finished(_ entry: JSONValue) throws -> [String]? {
        let status = entry["status"]
        let outputs = entry["outputs"]?.objectValue ?? [:]
        switch status?["status_str"]?.lenientString {
        case "error":
            let failure = (status?["messages"]?.arrayValue ?? []).compactMap(\.arrayValue)
                .first { $0.first?.lenientString == "execution_error" }?.dropFirst().first
            guard let failure else { throw UpstreamFailure.noImage("ComfyUI stopped the workflow before it finished.") }
            let node = "node \(failure["node_id"]?.lenientString ?? "?") (\(failure["node_type"]?.lenientString ?? "?"))"
            let reason = [failure["exception_type"]?.lenientString, failure["exception_message"]?.lenientString]
                .compactMap { $0 }.joined(separator: ": ")
            throw UpstreamFailure.noImage(String("ComfyUI failed in \(node): \(reason)".prefix(400)))
        case "success": break
        default: if status != nil || outputs.isEmpty { return nil }
        }
        let nodes = outputNode.map { [$0] } ?? outputs.keys.sorted(by: Self.comfyOrder)
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let escape = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "" }
        let files = nodes.flatMap { outputs[$0]?["images"]?.arrayValue ?? [] }.compactMap { image -> String? in
            guard image["type"]?.lenientString == "output", let name = image["filename"]?.lenientString, !name.isEmpty else {
                return nil
            }
            let query = "filename=\(escape(name))&subfolder=\(escape(image["subfolder"]?.lenientString ?? ""))&type=output"
            return channel.baseURL + "/view?" + query
        }
        guard !files.isEmpty else {
            throw UpstreamFailure.noImage("The workflow saved no image (does it end in a SaveImage node?).")
        }
        return files
    }

    private func get(_ path: String) async throws -> JSONValue {
        let response = try await send(UpstreamRequest(method: "GET", url: channel.baseURL + path, headers: auth,
                                                      timeout: channel.timeout))
        guard let json = response.json, json.objectValue != nil else { throw UpstreamFailure.malformed("not a JSON object") }
        return json
    }

    private var auth: [(String, String)] {
        channel.apiKey.flatMap { $0.isEmpty ? nil : [("Authorization", "Bearer " + $0)] } ?? []
    }

    private static let lost = EngineError(code: "InternalError", message: "ComfyUI lost the prompt (was it restarted?).",
                                          isRetryable: false)

    /// Whether a prompt id is one ComfyUI makes (letters, digits, `-`): it lands in URL paths.
    static let isPromptID: @Sendable (String) -> Bool = { id in
        !id.isEmpty && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    /// The options naming where one of the task's values goes (`NODE.INPUT`).
    static let nodeOptions = ["prompt_node", "negative_node", "seed_node", "width_node", "height_node", "batch_node"]

    /// Numeric node ids in numeric order, then the rest.
    static func comfyOrder(_ a: String, _ b: String) -> Bool {
        (Int(a) ?? .max, a) < (Int(b) ?? .max, b)
    }
}
