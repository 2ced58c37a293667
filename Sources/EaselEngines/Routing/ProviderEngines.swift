/// Builds the adapter for a channel's provider.
public enum ProviderEngines {
    /// A configuration problem found when building engines.
    public struct ConfigurationError: Error, CustomStringConvertible {
        /// What is wrong.
        public let description: String
    }

    /// The adapter for `channel`, talking through `http`. Its options are parsed here, once: an unknown option or a
    /// bad value throws a ``ConfigurationError`` naming the upstream and the option.
    public static func engine(for channel: UpstreamChannel, http: UpstreamHTTP) throws -> any ImageEngine {
        switch channel.kind {
        case .sandbox: return try SandboxEngine(channel: channel)
        case .openai: return try OpenAIImageEngine(channel: channel, http: http)
        case .openaiCompatible: return try OpenAICompatibleEngine(channel: channel, http: http)
        case .gemini: return try GeminiImageEngine(channel: channel, http: http)
        case .ark: return try ArkSeedreamEngine(channel: channel, http: http)
        case .jimeng: return try JimengImageEngine(channel: channel, http: http)
        case .dashscope: return try DashScopeQwenEngine(channel: channel, http: http)
        case .hunyuan: return try HunyuanImageEngine(channel: channel, http: http)
        case .vidu: return try ViduImageEngine(channel: channel, http: http)
        case .kling: return try KlingImageEngine(channel: channel, http: http)
        case .midjourney: return try MidjourneyProxyEngine(channel: channel, http: http)
        case .vod: return try VODPassthroughEngine(channel: channel, http: http)
        case .comfyui: return try ComfyUIEngine(channel: channel, http: http)
        }
    }

    /// The provider kinds this build knows.
    public static let known = ProviderKind.listed.map(\.rawValue)
}
