/// The provider a channel talks to, as configured in `upstreams[].provider`.
public enum ProviderKind: String, Sendable, Equatable, Hashable, CaseIterable {
    case sandbox, openai, gemini, ark, jimeng, dashscope, hunyuan, vidu, kling, midjourney, vod, comfyui
    case openaiCompatible = "openai-compatible"

    /// The kinds in the order they are listed to operators.
    public static let listed: [ProviderKind] = [.sandbox, .openai, .openaiCompatible, .gemini, .ark, .jimeng, .dashscope,
                                                .hunyuan, .vidu, .kling, .midjourney, .vod, .comfyui]

    /// The kind named `text`; throws one line naming the upstream and the known kinds otherwise.
    public init(parsing text: String, upstream: String) throws {
        guard let kind = ProviderKind(rawValue: text) else {
            let known = Self.listed.map(\.rawValue).joined(separator: ", ")
            throw ProviderEngines.ConfigurationError(description: "upstream \(upstream): unknown provider `\(text)`; known: \(known)")
        }
        self = kind
    }
}
