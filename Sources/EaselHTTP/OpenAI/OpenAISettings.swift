/// OpenAI dialect settings.
public struct OpenAISettings: Sendable {
    /// Model used when a request names none.
    public var defaultModel = "GG-2.5"
    /// Extra model ids, e.g. `gpt-image-1` → `OG-image2_medium`.
    public var aliases: [String: String] = ["gpt-image-1": "OG-image2_medium", "dall-e-3": "GG-2.5", "dall-e-2": "GG-2.5"]
    /// How long `/v1/images/generations` waits for the task before answering 504.
    public var waitTimeout: Duration = .seconds(300)

    /// Defaults.
    public init() {}
}
