import ArgumentParser
import EaselCore
import Foundation

/// `easel submit`: create a task on a running server through the REST proxy dialect, optionally wait for it and
/// save its images.
struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create an image task on a running server (REST dialect) and optionally wait for its images.",
        discussion: """
            Prints the TaskId (a JSON object with --json). With --wait it follows the task — a progress bar on a \
            terminal, one line per change otherwise — saves the images into --out as <TaskId>-<n>.<ext> and prints \
            their paths. Exit codes: 0 done, 1 the task failed or the server refused it, 2 usage or connection error.
            """)

    @Option(help: "The model as NAME-VERSION, e.g. GEM-2.5, GG-3.1-lite or wand-vega-image-1.0-pro.") var model: String
    @Option(help: "What to draw.") var prompt: String
    @Option(help: "What to avoid.") var negativePrompt: String?
    @Option(help: ArgumentHelp("A reference image: a local png/jpeg/webp file (sent inline), an http(s) URL or fileid:N; repeatable.",
                               valueName: "file|url"))
    var ref: [String] = []
    @Option(help: "Aspect ratio, e.g. 16:9.") var aspectRatio: String?
    @Option(help: "Resolution, e.g. 1K, 2K or 4K (what the model accepts).") var resolution: String?
    @Option(help: "Number of images, when the model makes several.") var count: Int?
    @Flag(help: "Wait for the task to finish and save its images.") var wait = false
    @Option(help: "Directory for the images (with --wait).") var out = "."
    @Option(help: "Give up waiting after this many seconds.") var timeout = 600
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Option(help: ArgumentHelp("The server (env EASEL_URL; default http://127.0.0.1:8080).", valueName: "url")) var url: String?
    @Option(help: ArgumentHelp("The app's API key, sk-easel-… (env EASEL_API_KEY).", valueName: "key")) var apiKey: String?

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds.") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1.") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let model = ModelReference.parse(model) else {
            throw CLIError.usage("--model must be NAME-VERSION, e.g. GEM-2.5; got `\(self.model)`.")
        }
        guard let key = apiKey ?? environment["EASEL_API_KEY"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw CLIError.usage("easel submit needs the app's API key: pass --api-key or set EASEL_API_KEY.")
        }
        let body = try requestBody(model: model)
        let server = url ?? environment["EASEL_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:8080"
        try await HTTPSession.with(url: server, bearer: key) { session in
            let rest = RESTAPI(session: session)
            let created = try await rest.create(body)
            guard wait else {
                if json {
                    var object: [String: JSONValue] = ["task_id": .string(created.taskId)]
                    if let position = created.queuePosition { object["queue_position"] = .int(Int64(position)) }
                    Printer.line(.object(object))
                } else {
                    print(created.taskId)
                }
                return
            }
            try await follow(created, rest: rest)
        }
    }

    /// The REST create body (snake_case).
    func requestBody(model: ModelReference) throws(CLIError) -> JSONValue {
        var body: [String: JSONValue] = [
            "model_name": .string(model.name), "model_version": .string(model.version), "prompt": .string(prompt),
        ]
        if let negativePrompt { body["negative_prompt"] = .string(negativePrompt) }
        var references: [ReferenceImage] = []
        for value in ref { references.append(try ReferenceImage.parse(value)) }
        let inline = references.map(\.inlineSize).reduce(0, +)
        if inline > ReferenceImage.inlineLimit {
            throw .usage("the local reference images total \(inline / 1024) KB as base64; the server takes at most "
                + "\(ReferenceImage.inlineLimit / 1024 / 1024) MB inline. Import them with `easel media add` and pass "
                + "--ref fileid:N, or give URLs.")
        }
        if !references.isEmpty { body["file_infos"] = .array(references.map(\.json)) }
        var output: [String: JSONValue] = [:]
        if let aspectRatio { output["aspect_ratio"] = .string(aspectRatio) }
        if let resolution { output["resolution"] = .string(resolution) }
        if let count { output["output_image_count"] = .int(Int64(count)) }
        if !output.isEmpty { body["output_config"] = .object(output) }
        return .object(body)
    }

    private func follow(_ created: RESTAPI.Created, rest: RESTAPI) async throws {
        var display = ProgressDisplay(style: ProgressDisplay.style(json: json), taskId: created.taskId)
        let watcher = TaskWatcher(rest: rest, taskId: created.taskId, timeout: .seconds(timeout))
        let outcome: RESTAPI.Outcome
        do {
            outcome = try await watcher.wait(initialQueuePosition: created.queuePosition, display: &display)
            display.finish()
        } catch {
            display.finish()
            throw error
        }
        guard outcome.succeeded else {
            let reason = outcome.status == "ABORTED" ? "was aborted"
                : "failed: \(outcome.errCodeExt.isEmpty ? "ErrCode \(outcome.errCode)" : outcome.errCodeExt): \(outcome.message)"
            if json {
                Printer.line(.object(["task_id": .string(created.taskId), "status": .string(outcome.status == "ABORTED" ? "aborted" : "failed"),
                                      "error_code": .string(outcome.errCodeExt), "message": .string(outcome.message)]))
            }
            throw CLIError.failed("task \(created.taskId) \(reason)")
        }
        let paths = try await ImageSaver(rest: rest, directory: out).save(outcome.files, taskId: created.taskId)
        if json {
            Printer.line(.object(["task_id": .string(created.taskId), "status": .string("succeeded"),
                                  "files": .array(paths.map { .string($0) })]))
        } else {
            paths.forEach { print($0) }
        }
    }
}
