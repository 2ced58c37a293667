// Providers with their own prompt-extension switch: Hunyuan `Revise`, DashScope `prompt_extend`, Seedream and
// Kling-style prompt optimisation are mapped by their adapters from `ImageRequest.enhancePrompt`.
extension HunyuanImageEngine {
    /// Hunyuan rewrites prompts itself (`Revise`).
    public var enhancesPromptNatively: Bool { true }
}

extension DashScopeQwenEngine {
    /// DashScope rewrites prompts itself (`prompt_extend`).
    public var enhancesPromptNatively: Bool { true }
}

extension VODPassthroughEngine {
    /// Tencent VOD takes `EnhancePrompt` itself.
    public var enhancesPromptNatively: Bool { true }
}
