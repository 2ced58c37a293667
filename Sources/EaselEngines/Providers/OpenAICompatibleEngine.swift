import EaselCore
import Foundation

/// The "bring your own model" engine: any server that speaks OpenAI's `/v1/images/generations` (LocalAI,
/// stable-diffusion.cpp `sd-server`, gateways), per providers.md §11a. Synchronous, one call per task; reference
/// images go to `/v1/images/edits` as multipart `image[]` parts plus `mask`.
///
/// Only `prompt`, `size` (the task's pixel size, unrounded), `n`, `model` and `response_format` are sent, since
/// servers differ in everything else. Channel options:
/// - `model`: the model id when the channel's route names none (otherwise `model` is omitted);
/// - `response_format`: `b64_json` (default), `url` (images are then downloaded from the server), or `none` to omit
///   the field for servers that reject it;
/// - `negative_prompt_style`: `append` (default, `"\nAvoid: <negative>"`), `localai` (`"prompt|negative"`) or
///   `sdcpp` (`<sd_cpp_extra_args>{"negative_prompt":…,"seed":…}</sd_cpp_extra_args>` appended, the only style
///   that carries the seed);
/// - `max_download_bytes`: the size limit of one downloaded image (default 50 MiB).
public struct OpenAICompatibleEngine: ImageEngine {
    public let name = "openai-compatible"
    private let channel: UpstreamChannel
    private let http: UpstreamHTTP
    private let model: String?
    private let responseFormat: String
    private let negativePromptStyle: String
    private let downloader: ResultDownloader

    /// Creates the engine for one channel (`apiKey` optional: sent as a Bearer token when set) and transport.
    public init(channel: UpstreamChannel, http: UpstreamHTTP) throws {
        let options = try ChannelOptions(channel, accepted: ["model", "response_format", "negative_prompt_style", "max_download_bytes"])
        self.model = options.nonEmpty("model")
        self.responseFormat = try options.choice("response_format", ["b64_json", "url", "none"]) ?? "b64_json"
        self.negativePromptStyle = try options.choice("negative_prompt_style", ["append", "localai", "sdcpp"]) ?? "append"
        let limit = try options.integer("max_download_bytes", in: 1..., "a positive whole number of bytes") ?? 50 * 1024 * 1024
        let base = channel.baseURL, auth = OpenAIWire.authHeaders(OpenAIWire.nonEmpty(channel.apiKey))
        // The Bearer token goes only to the configured server itself, never to another host.
        self.downloader = ResultDownloader(http: http, maxBytes: limit) { url in
            url == base || url.hasPrefix(base + "/") ? auth : []
        }
        self.channel = channel
        self.http = http
    }

    public func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        let request = job.request
        let apiKey = OpenAIWire.nonEmpty(channel.apiKey)
        var fields: [(String, JSONValue)] = [
            ("prompt", .string(prompt(for: request))),
            ("size", .string(job.outputSize.description)),
            ("n", .int(Int64(max(job.imageCount, 1)))),
        ]
        if let model = OpenAIWire.nonEmpty(channel.upstreamModel(for: request))
            ?? model {
            fields.append(("model", .string(model)))
        }
        let format = responseFormat
        if format != "none" { fields.append(("response_format", .string(format))) }
        let upstream = try OpenAIWire.request(baseURL: channel.baseURL, fields: fields, inputs: job.inputs, apiKey: apiKey,
                                              timeout: channel.timeout)
        let response = try await OpenAIWire.send(upstream, http: http, apiKey: apiKey)
        let images = try await OpenAIWire.images(from: response, limit: job.imageCount) { link in
            try await downloader.fetch(link.hasPrefix("/") ? channel.baseURL + link : link, timeout: channel.timeout).bytes
        }
        await progress(100)
        return images
    }

    /// The prompt with the negative prompt (and, for sd.cpp, the seed) in the configured server's convention.
    func prompt(for request: ImageRequest) -> String {
        let prompt = request.prompt ?? ""
        let negative = OpenAIWire.nonEmpty(request.negativePrompt)
        switch negativePromptStyle {
        case "localai":
            return negative.map { prompt + "|" + $0 } ?? prompt
        case "sdcpp":
            var extra: [String: JSONValue] = [:]
            if let negative { extra["negative_prompt"] = .string(negative) }
            if let seed = request.seed { extra["seed"] = .int(seed) }
            guard !extra.isEmpty else { return prompt }
            let json = String(decoding: JSONValue.object(extra).encoded(), as: UTF8.self)
            return prompt + "<sd_cpp_extra_args>" + json + "</sd_cpp_extra_args>"
        default:
            return OpenAIWire.promptAvoiding(request)
        }
    }

}
