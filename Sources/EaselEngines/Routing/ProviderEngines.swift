/// Builds the adapter for a channel's provider.
public enum ProviderEngines {
    /// A configuration problem found when building engines.
    public struct ConfigurationError: Error, CustomStringConvertible {
        /// What is wrong.
        public let description: String
    }

    /// The adapter for `channel`, talking through `http`.
    public static func engine(for channel: UpstreamChannel, http: UpstreamHTTP) throws -> any ImageEngine {
        switch channel.provider {
        case "sandbox": return SandboxEngine(latency: .milliseconds(Int(channel.options["latency_ms"] ?? "0") ?? 0))
        case "openai": return OpenAIImageEngine(channel: channel, http: http)
        case "openai-compatible": return OpenAICompatibleEngine(channel: channel, http: http)
        case "gemini": return GeminiImageEngine(channel: channel, http: http)
        case "ark": return ArkSeedreamEngine(channel: channel, http: http)
        case "jimeng": return JimengImageEngine(channel: channel, http: http)
        case "dashscope": return DashScopeQwenEngine(channel: channel, http: http)
        case "hunyuan": return HunyuanImageEngine(channel: channel, http: http)
        case "vidu": return ViduImageEngine(channel: channel, http: http)
        case "kling": return KlingImageEngine(channel: channel, http: http)
        case "midjourney": return MidjourneyProxyEngine(channel: channel, http: http)
        case "vod": return VODPassthroughEngine(channel: channel, http: http)
        case "comfyui": return try ComfyUIEngine(channel: channel, http: http)
        default:
            throw ConfigurationError(description: "upstream \(channel.name): unknown provider `\(channel.provider)`; known: \(known.joined(separator: ", "))")
        }
    }

    /// The provider kinds this build knows.
    public static let known = ["sandbox", "openai", "openai-compatible", "gemini", "ark", "jimeng", "dashscope", "hunyuan",
                               "vidu", "kling", "midjourney", "vod", "comfyui"]
}
