import EaselCore
import Foundation

/// OpenAI GPT Image for catalog model `OG` (`image2_low|image2_medium|image2_high` → `gpt-image-2` with `quality`
/// low/medium/high, or the channel's upstream model id), per providers.md §1. Synchronous: one call per task, to
/// `POST /v1/images/generations` (JSON) for text-only tasks and `POST /v1/images/edits` (multipart `image[]` parts
/// plus `mask`) when the task has reference images.
///
/// OpenAI has no negative prompt, so it is appended to the prompt as `"\nAvoid: <negative>"` (our choice). Sizes are
/// rounded to what gpt-image-2 accepts (`gptImageSize`). `response_format` is never sent: GPT image models always
/// answer `b64_json`.
public struct OpenAIImageEngine: ImageEngine {
    public let name = "openai"
    private let channel: UpstreamChannel
    private let http: UpstreamHTTP

    /// Creates the engine for one channel (`baseURL` normally `https://api.openai.com`, `apiKey` required) and transport.
    public init(channel: UpstreamChannel, http: UpstreamHTTP) throws {
        _ = try ChannelOptions(channel, accepted: [])
        self.channel = channel
        self.http = http
    }

    public func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        guard let apiKey = OpenAIWire.nonEmpty(channel.apiKey) else {
            throw EngineError(code: "InternalError", message: "The upstream channel \(channel.name) has no API key.",
                              isRetryable: false)
        }
        let request = job.request
        var fields: [(String, JSONValue)] = [
            ("model", .string(model(for: request))),
            ("prompt", .string(OpenAIWire.promptAvoiding(request))),
            ("size", .string(Self.gptImageSize(job.outputSize).description)),
            ("quality", .string(Self.quality(version: request.modelVersion))),
            ("n", .int(Int64(max(job.imageCount, 1)))),
            ("output_format", .string(Self.outputFormat(request.outputFormat))),
        ]
        if let background = OpenAIWire.nonEmpty(request.additionalParameters?["background"]?.lenientString) {
            fields.append(("background", .string(background)))
        }
        // The edits endpoint has no `moderation` parameter (providers.md §1), so only generations send it.
        if job.inputs.isEmpty {
            fields.append(("moderation", .string(request.outputComplianceCheck == false ? "low" : "auto")))
        }
        let upstream = try OpenAIWire.request(baseURL: channel.baseURL, fields: fields, inputs: job.inputs, apiKey: apiKey,
                                              timeout: channel.timeout)
        let response = try await OpenAIWire.send(upstream, http: http, apiKey: apiKey)
        let images = try await OpenAIWire.images(from: response, limit: job.imageCount)
        await progress(100)
        return images
    }

    private func model(for request: ImageRequest) -> String {
        OpenAIWire.nonEmpty(channel.upstreamModel(for: request)) ?? "gpt-image-2"
    }

    /// `image2_high` → `high`; anything else → `auto`.
    static func quality(version: String) -> String {
        let level = version.lowercased().split(separator: "_").last.map(String.init) ?? ""
        return ["low", "medium", "high"].contains(level) ? level : "auto"
    }

    /// `jpeg` (or `jpg`) → `jpeg`; everything else, including no preference, → `png`.
    static func outputFormat(_ requested: String?) -> String {
        switch requested?.lowercased() {
        case "jpeg", "jpg": "jpeg"
        default: "png"
        }
    }

    /// The nearest size gpt-image-2 accepts: both sides multiples of 16, aspect ratio between 1:3 and 3:1, longest
    /// side ≤ 3840 and 655 360–8 294 400 pixels in total (providers.md §1). Sizes that already comply are unchanged.
    static func gptImageSize(_ size: PixelSize) -> PixelSize {
        let maxEdge = 3840, minPixels = 655_360, maxPixels = 8_294_400
        var w = Double(max(size.width, 1)), h = Double(max(size.height, 1))
        w = min(w, 3 * h)
        h = min(h, 3 * w)
        let edgeScale = min(1, Double(maxEdge) / max(w, h))
        w *= edgeScale
        h *= edgeScale
        let area = w * h
        let areaScale = area > Double(maxPixels) ? (Double(maxPixels) / area).squareRoot()
            : area < Double(minPixels) ? (Double(minPixels) / area).squareRoot() : 1
        var width = max(1, Int((w * areaScale / 16).rounded())) * 16
        var height = max(1, Int((h * areaScale / 16).rounded())) * 16
        // Rounding to 16 can step just past a bound; each step moves one side by 16 back inside. The bound on the
        // loop is only a guard: a handful of steps always suffice.
        for _ in 0..<64 {
            let long = max(width, height), short = min(width, height), pixels = width * height
            let growShort = { if width < height { width += 16 } else { height += 16 } }
            let shrinkLong = { if width >= height { width -= 16 } else { height -= 16 } }
            if long > 3 * short {
                if (long - 16) * short >= minPixels { shrinkLong() } else { growShort() }
            } else if pixels > maxPixels || long > maxEdge {
                shrinkLong()
            } else if pixels < minPixels {
                growShort()
            } else {
                break
            }
        }
        return PixelSize(width: width, height: height)
    }
}
