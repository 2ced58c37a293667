import EaselCore
import Foundation

/// Google Gemini image models (`GG`/`GEM` 2.5, 3.0, 3.1, 3.1-lite) over the Gemini Developer API's synchronous
/// `POST {baseURL}/v1beta/models/{model}:generateContent` with `x-goog-api-key` (providers.md §2, §13).
///
/// Each call yields one image, so a job of n images makes n calls, at most `parallelCalls` at a time. Reference
/// images go inline as base64, each after its description. Channel options: `response_modalities` (default
/// `IMAGE`; e.g. `TEXT,IMAGE`), `person_generation` = `true` to send `imageConfig.personGeneration` (Vertex and
/// gateways only; the Developer API refuses it).
public struct GeminiImageEngine: ImageEngine {
    public let name = "gemini"
    /// Calls one job keeps in flight at most.
    public static let parallelCalls = 2

    private let channel: UpstreamChannel
    private let http: UpstreamHTTP
    private let modalities: [String]
    private let personGeneration: Bool

    /// Creates the engine for a `gemini` channel, talking through `http`, reading its options.
    public init(channel: UpstreamChannel, http: UpstreamHTTP) throws {
        let options = try ChannelOptions(channel, accepted: ["response_modalities", "person_generation"])
        modalities = (options.text("response_modalities") ?? "IMAGE").split(separator: ",")
            .map { $0.trimmingWhitespace().uppercased() }
        personGeneration = try options.flag("person_generation") ?? false
        self.channel = channel
        self.http = http
    }

    /// The upstream model id for a catalog version: the channel's mapping, else §13's.
    public func upstreamModel(for request: ImageRequest) throws -> String {
        let model = try channel.upstreamModel(for: request, provider: "Gemini", fallback: GeminiWire.defaultModel(version:))
        return model.hasPrefix("models/") ? String(model.dropFirst("models/".count)) : model
    }

    public func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        let model = try upstreamModel(for: job.request)
        let url = "\(channel.baseURL)/v1beta/models/\(model):generateContent"
        let count = max(job.imageCount, 1)
        return try await withThrowingTaskGroup(of: (Int, GeneratedImage).self) { group in
            var images = [GeneratedImage?](repeating: nil, count: count)
            var started = 0
            var finished = 0
            func start(_ index: Int) {
                group.addTask { (index, try await generateOne(job, index: index, url: url)) }
            }
            while started < min(Self.parallelCalls, count) {
                start(started)
                started += 1
            }
            while let (index, image) = try await group.next() {
                images[index] = image
                finished += 1
                await progress(finished * 100 / count)
                if started < count {
                    start(started)
                    started += 1
                }
            }
            return images.compactMap { $0 }
        }
    }

    private func generateOne(_ job: EngineJob, index: Int, url: String) async throws -> GeneratedImage {
        try Task.checkCancellation()
        var headers: [(String, String)] = []
        if let key = channel.apiKey, !key.isEmpty { headers.append(("x-goog-api-key", key)) }
        let body = GeminiWire.body(job, seedOffset: index, modalities: modalities, personGeneration: personGeneration)
        var request = UpstreamRequest.json(url, body: body, headers: headers, timeout: channel.timeout)
        // One inline PNG at 4K is ~20 MB of base64, plus any interim thought images.
        request.maxResponseBytes = 128 * 1024 * 1024
        let response = try await http.send(request)
        guard (200..<300).contains(response.status) else { throw GeminiWire.failure(response, apiKey: channel.apiKey) }
        return try GeminiWire.image(from: response)
    }
}
