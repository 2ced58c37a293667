import EaselCore
import Foundation

/// ByteDance Seedream (`SI` 4.0, 4.5, 5.0-lite) on Volcengine Ark (or BytePlus ModelArk): the synchronous
/// `POST {baseURL}/api/v3/images/generations` with `Authorization: Bearer <Ark API key>` (providers.md §3, §13).
///
/// References are passed by their source URL when they have one, else as data URLs. With
/// `AdditionalParameters.sequential_image_generation = auto` one call returns a group of images; otherwise a job of
/// n images makes n calls, one after another. Channel options: `response_format` (`url`, the default, whose images
/// are then fetched without credentials; or `b64_json`), `max_image_bytes` (largest image accepted, default 50 MiB).
public struct ArkSeedreamEngine: ImageEngine {
    public let name = "ark"
    private let channel: UpstreamChannel
    private let http: UpstreamHTTP

    /// Creates the engine for an `ark` channel, talking through `http`.
    public init(channel: UpstreamChannel, http: UpstreamHTTP) throws {
        let options = try ChannelOptions(channel, accepted: ["response_format", "max_image_bytes"])
        self.responseFormat = try options.choice("response_format", ["url", "b64_json"]) ?? "url"
        self.maxImageBytes = try options.maxImageBytes(default: ArkWire.defaultMaxImageBytes)
        // The signed TOS URL carries its own authorisation; the Ark key is never sent to it.
        self.downloader = ResultDownloader(http: http, maxBytes: maxImageBytes)
        self.channel = channel
        self.http = http
    }

    /// The upstream model id for a catalog version: the channel's mapping, else §13's.
    public func upstreamModel(for request: ImageRequest) throws -> String {
        try channel.upstreamModel(for: request, provider: "Seedream", fallback: ArkWire.defaultModel(version:))
    }

    private let responseFormat: String
    private let maxImageBytes: Int
    private let downloader: ResultDownloader

    public func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        let model = try upstreamModel(for: job.request)
        let calls = ArkWire.isSequential(job.request) ? 1 : max(job.imageCount, 1)
        var images: [GeneratedImage] = []
        for call in 0..<calls {
            try Task.checkCancellation()
            images += try await generateOnce(job, model: model)
            await progress((call + 1) * 100 / calls)
        }
        return images
    }

    private func generateOnce(_ job: EngineJob, model: String) async throws -> [GeneratedImage] {
        var headers: [(String, String)] = []
        if let key = channel.apiKey, !key.isEmpty { headers.append(("Authorization", "Bearer \(key)")) }
        var request = UpstreamRequest.json(channel.baseURL + ArkWire.path,
                                           body: ArkWire.body(job, model: model, responseFormat: responseFormat),
                                           headers: headers, timeout: channel.timeout)
        // A group of up to 15 images in b64_json comes in one body.
        if responseFormat == "b64_json" { request.maxResponseBytes = ArkWire.maxImagesPerRequest * maxImageBytes * 4 / 3 }
        let response = try await http.send(request)
        guard (200..<300).contains(response.status) else { throw ArkWire.failure(response, apiKey: channel.apiKey) }

        var images: [GeneratedImage] = []
        var firstFailure: EngineError?
        for item in try ArkWire.items(from: response, apiKey: channel.apiKey) {
            switch item {
            case .bytes(let bytes):
                guard bytes.count <= maxImageBytes else {
                    throw EngineError(code: "ModelGenerateFailed", message: "The upstream's image was too large.",
                                      isRetryable: false)
                }
                images.append(try Self.image(bytes))
            case .url(let url):
                images.append(try await downloader.fetch(url, timeout: channel.timeout))
            case .failed(let error):
                firstFailure = firstFailure ?? error
            }
        }
        // In a group, images that failed moderation are dropped when others succeeded.
        if images.isEmpty { throw firstFailure ?? UpstreamFailure.noImage() }
        return images
    }

    private static func image(_ bytes: [UInt8]) throws -> GeneratedImage {
        guard let info = ImageProbe.inspect(bytes) else { throw UpstreamFailure.malformed("the image is not PNG, JPEG or WebP") }
        return GeneratedImage(bytes: bytes, info: info)
    }
}
