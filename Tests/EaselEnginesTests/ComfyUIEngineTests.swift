import EaselCore
@testable import EaselEngines
import Foundation
import Testing

/// Collects what an engine reports, in order.
private actor ComfyRecorder {
    var values: [Int] = []
    func add(_ value: Int) { values.append(value) }
}

/// ComfyUI's default text-to-image graph in API format, plus a LoadImage and a PreviewImage node.
private let template = "{" + comfyDefaultGraphNodes + """
,
 "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "Easel run+1", "images": ["8", 0]}},
 "10": {"class_type": "LoadImage", "inputs": {"image": "example.png", "upload": "image"}},
 "12": {"class_type": "PreviewImage", "inputs": {"images": ["8", 0]}}}
"""

private let nodeMap = ["prompt_node": "6.text", "negative_node": "7.text", "seed_node": "3.seed", "width_node": "5.width",
                       "height_node": "5.height", "batch_node": "5.batch_size", "image_node": "10.image"]

private func comfyChannel(_ base: String = "http://127.0.0.1:1", workflow: String = template, apiKey: String? = nil,
                          timeout: Duration = .seconds(20), options: [String: String] = nodeMap) -> UpstreamChannel {
    UpstreamChannel(name: "comfy-test", kind: .comfyui, baseURL: base, apiKey: apiKey,
                    models: [ModelRoute(name: "Qwen", version: "0925")],
                    options: options.merging(["workflow": workflow, "poll_interval_ms": "5"]) { old, _ in old }, timeout: timeout)
}

private func comfyJob(size: PixelSize = PixelSize(width: 48, height: 32), count: Int = 1, inputs: [ResolvedImage] = [],
                      resume: String? = nil, checkpoint: @escaping @Sendable (String) async -> Void = { _ in }) -> EngineJob {
    EngineJob(taskId: "251007502-AigcImageTask-c1", request: ImageRequest(modelName: "Qwen", modelVersion: "0925",
                                                                          prompt: "a lighthouse at dusk"),
              outputSize: size, imageCount: count, inputs: inputs, resumeToken: resume, checkpoint: checkpoint)
}

/// `graph` with `inputs[input]` of node `node` set to `value`.
private func setting(_ graph: JSONValue, _ node: String, _ input: String, _ value: JSONValue) -> JSONValue {
    guard var nodes = graph.objectValue, var members = nodes[node]?.objectValue else { return graph }
    var inputs = members["inputs"]?.objectValue ?? [:]
    inputs[input] = value
    members["inputs"] = .object(inputs)
    nodes[node] = .object(members)
    return .object(nodes)
}

private let unhttp = UpstreamHTTP { _ in UpstreamResponse(status: 599) }

@Suite struct ComfyUIEngineTests {
    @Test func uploadsWritesTheGraphSubmitsPollsAndFetches() async throws {
        let ref = SandboxRenderer().render(prompt: "ref", seed: 3, index: 0, width: 16, height: 16, format: .png)
        try await FakeComfyUIServer.with { fake, base, http in
            let engine = try ComfyUIEngine(channel: comfyChannel(base), http: http)
            var job = comfyJob(count: 2, inputs: [ResolvedImage(bytes: ref.bytes, info: ref.info)]) { await fake.note("checkpoint \($0)") }
            job.request.negativePrompt = "blurry"
            job.request.seed = 42
            let progress = ComfyRecorder()
            let images = try await engine.generate(job) { await progress.add($0) }

            #expect(images.map(\.info) == Array(repeating: ImageInfo(format: .png, width: 48, height: 32), count: 2))
            #expect(images.count == 2 && images[0].bytes != images[1].bytes)
            let upload = try #require(await fake.uploads.first)
            #expect(upload.filename == "easel-251007502-AigcImageTask-c1-0.png" && upload.bytes == ref.bytes)
            #expect(upload.contentType == "image/png" && upload.fields == ["type": "input", "overwrite": "true"])
            let sent = try #require(await fake.prompts.first)
            var expected = try JSONValue.parse(Array(template.utf8))
            for (node, input, value) in [("6", "text", JSONValue.string("a lighthouse at dusk")), ("7", "text", .string("blurry")),
                                         ("3", "seed", .int(42)), ("5", "width", .int(48)), ("5", "height", .int(32)),
                                         ("5", "batch_size", .int(2)), ("10", "image", .string(upload.filename))] {
                expected = setting(expected, node, input, value)
            }
            #expect(sent["prompt"] == expected)
            let id = try #require(await fake.events.first { $0.hasPrefix("checkpoint ") }?.dropFirst(11))
            let polls = Array(repeating: ["history", "queue"], count: 4).flatMap { $0 }
            #expect(await fake.events == ["upload \(upload.filename)", "prompt", "checkpoint \(id)"] + polls
                    + ["history", "view Easel run+1_00001_.png", "view Easel run+1_00002_.png"])
            #expect(await progress.values == [50, 100])
            #expect(await fake.violations.isEmpty)
        }
    }

    @Test func keepsTheTemplatesNegativePromptAndSendsBearerWhenConfigured() async throws {
        var setup = FakeComfyUIServer.Setup()
        setup.token = "comfy-token-7"
        try await FakeComfyUIServer.with(setup) { fake, base, http in
            let engine = try ComfyUIEngine(channel: comfyChannel(base, apiKey: "comfy-token-7"), http: http)
            let images = try await engine.generate(comfyJob()) { _ in }
            #expect(images.count == 1)
            let graph = try #require(await fake.prompts.first?["prompt"])
            #expect(graph["7"]?["inputs"]?["text"] == .string("text, watermark"))
            #expect(graph["10"]?["inputs"]?["image"] == .string("example.png"))
            #expect(graph["3"]?["inputs"]?["seed"]?.lenientInt.map { $0 >= 0 } == true)
            #expect(await fake.violations.isEmpty)
        }
    }

    @Test func resumesWithoutUploadingOrSubmitting() async throws {
        let id = "0b5c3d9e-8f61-4a7b-9c2d-1e2f3a4b5c6d"
        var setup = FakeComfyUIServer.Setup()
        setup.existing = [id: setting(try JSONValue.parse(Array(template.utf8)), "5", "width", .int(24))]
        try await FakeComfyUIServer.with(setup) { fake, base, http in
            let engine = try ComfyUIEngine(channel: comfyChannel(base), http: http)
            let images = try await engine.generate(comfyJob(resume: id) { _ in await fake.note("checkpoint") }) { _ in }
            #expect(images.first?.info == ImageInfo(format: .png, width: 24, height: 512))
            let events = await fake.events
            #expect(!events.contains { $0.hasPrefix("upload") || $0 == "prompt" || $0 == "checkpoint" })
            #expect(events.first == "history")
        }
    }

    @Test func turnsValidationErrorsIntoInvalidParameterValueWithoutTheKey() async throws {
        var setup = FakeComfyUIServer.Setup()
        setup.token = "comfy-token-secret"
        try await FakeComfyUIServer.with(setup) { fake, base, http in
            let broken = template.replacingOccurrences(of: "v1-5-pruned-emaonly", with: "missing")
            let engine = try ComfyUIEngine(channel: comfyChannel(base, workflow: broken, apiKey: "comfy-token-secret"), http: http)
            let error = await EngineHarness.engineError { _ = try await engine.generate(comfyJob { _ in await fake.note("checkpoint") }) { _ in } }
            #expect(error?.code == "InvalidParameterValue" && error?.isRetryable == false)
            let message = error?.message ?? ""
            #expect(message.contains("Prompt outputs failed validation") && message.contains("node 4 (CheckpointLoaderSimple)"))
            #expect(message.contains("missing.safetensors") && !message.contains("comfy-token-secret"))
            #expect(await fake.events == ["prompt"])
        }
    }

    @Test func reportsRuntimeFailuresLostPromptsAndServerErrors() async throws {
        var setup = FakeComfyUIServer.Setup()
        setup.plan = .outOfMemory
        try await FakeComfyUIServer.with(setup) { _, base, http in
            let error = await EngineHarness.engineError { _ = try await ComfyUIEngine(channel: comfyChannel(base), http: http).generate(comfyJob()) { _ in } }
            #expect(error?.code == "ModelGenerateFailed" && error?.isRetryable == false)
            #expect(error?.message == "ComfyUI failed in node 3 (KSampler): torch.OutOfMemoryError: CUDA out of memory")
        }
        setup.plan = .vanish
        try await FakeComfyUIServer.with(setup) { fake, base, http in
            let error = await EngineHarness.engineError { _ = try await ComfyUIEngine(channel: comfyChannel(base), http: http).generate(comfyJob()) { _ in } }
            #expect(error?.code == "InternalError" && error?.isRetryable == false)
            #expect(await fake.events.filter { $0 == "queue" }.count == 3)
        }
        setup = FakeComfyUIServer.Setup()
        setup.promptStatus = 500
        try await FakeComfyUIServer.with(setup) { _, base, http in
            let error = await EngineHarness.engineError { _ = try await ComfyUIEngine(channel: comfyChannel(base), http: http).generate(comfyJob()) { _ in } }
            #expect(error?.code == "InternalError" && error?.isRetryable == true)
        }
        setup = FakeComfyUIServer.Setup()
        setup.token = "needed"
        try await FakeComfyUIServer.with(setup) { _, base, http in
            let error = await EngineHarness.engineError { _ = try await ComfyUIEngine(channel: comfyChannel(base), http: http).generate(comfyJob()) { _ in } }
            #expect(error?.code == "InternalError" && error?.isRetryable == false)
        }
    }

    @Test func timesOutAndHonoursCancellation() async throws {
        var setup = FakeComfyUIServer.Setup()
        setup.pendingPolls = 100_000
        try await FakeComfyUIServer.with(setup) { fake, base, http in
            try await EngineHarness.expectTimeoutAndCancellation(
                quick: try ComfyUIEngine(channel: comfyChannel(base, timeout: .seconds(8)), http: http),
                engine: try ComfyUIEngine(channel: comfyChannel(base), http: http), job: comfyJob(),
                events: { await fake.events.count }, more: 5)
        }
    }

    @Test(arguments: [
        ([String: String](), "options.workflow (API-format JSON) or options.workflow_file"),
        (["workflow_file": "/nonexistent/easel-workflow.json", "prompt_node": "6.text"], "cannot read workflow_file"),
        (["workflow": "{not json", "prompt_node": "6.text"], "not a JSON object"),
        (["workflow": #"{"nodes": [], "links": []}"#, "prompt_node": "6.text"], "UI format"),
        (["workflow": #"{"1": {"inputs": {}}}"#, "prompt_node": "1.text"], "node `1` has no class_type"),
        (["workflow": template], "options.prompt_node is required"),
        (["workflow": template, "prompt_node": "6text"], "must be NODE.INPUT naming a node of the workflow (e.g. 6.text), got `6text`"),
        (["workflow": template, "prompt_node": "6.text", "seed_node": "33.seed"], "options.seed_node must be NODE.INPUT naming a node of the workflow (e.g. 6.text), got `33.seed`"),
        (["workflow": template, "prompt_node": "6.text", "image_node": "10.image, 11.image"], "options.image_node must be NODE.INPUT naming a node of the workflow (e.g. 6.text), got ` 11.image`"),
        (["workflow": template, "prompt_node": "6.text", "output_node": "99"], "options.output_node names node `99`"),
    ])
    func failsClearlyOnBadConfiguration(options: [String: String], problem: String) {
        let channel = UpstreamChannel(name: "comfy-test", kind: .comfyui, baseURL: "http://127.0.0.1:1", models: [], options: options)
        #expect {
            _ = try ComfyUIEngine(channel: channel, http: unhttp)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("upstream comfy-test: ") && text.contains(problem)
        }
    }

    @Test func readsTheWorkflowFileAndKnowsHowManyReferencesItTakes() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("easel-comfy-\(UUID().uuidString).json")
        try Data(template.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        var options = nodeMap
        options["workflow_file"] = file.path
        let engine = try ComfyUIEngine(channel: UpstreamChannel(name: "c", kind: .comfyui, baseURL: "http://127.0.0.1:1",
                                                                models: [], options: options), http: unhttp)
        var request = ImageRequest(modelName: "Qwen", modelVersion: "0925", prompt: "x")
        request.inputs = [InputImage(source: .url, url: "https://example.com/a.png")]
        #expect(engine.unsupportedReason(for: request) == nil)
        request.inputs.append(InputImage(source: .url, url: "https://example.com/b.png"))
        #expect(engine.unsupportedReason(for: request)?.contains("at most 1") == true)
        options["image_node"] = nil
        let textOnly = try ComfyUIEngine(channel: comfyChannel(options: options), http: unhttp)
        #expect(textOnly.unsupportedReason(for: request)?.contains("no reference images") == true)
        options["batch_node"] = nil
        let single = try ComfyUIEngine(channel: comfyChannel(options: options), http: unhttp)
        var batch = ImageRequest(modelName: "Qwen", modelVersion: "0925", prompt: "x")
        batch.outputImageCount = 2
        #expect(textOnly.unsupportedReason(for: batch) == nil && single.unsupportedReason(for: batch)?.contains("one image") == true)
    }
}
