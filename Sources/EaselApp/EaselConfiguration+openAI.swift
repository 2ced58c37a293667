import Configuration
import EaselHTTP

extension EaselConfiguration {
    /// The OpenAI images dialect's defaults. Keys (environment variable, default):
    /// - `openai.default_model` (`EASEL_OPENAI_DEFAULT_MODEL`, `GG-2.5`): the model when a request names none;
    /// - `openai.wait_timeout_seconds` (`EASEL_OPENAI_WAIT_SECONDS`, 300): how long `/v1/images/generations` waits
    ///   before `504`;
    /// - `openai.aliases` (file only, `{}`): extra model ids, e.g. `{"gpt-image-1": "OG-image2_medium"}`, added to
    ///   the built-in ones.
    public struct OpenAIDefaults: Sendable, Equatable {
        /// Model used when a request names none.
        public var defaultModel = OpenAISettings().defaultModel
        /// Seconds a synchronous generation waits.
        public var waitSeconds = OpenAISettings().waitTimeout.wholeSeconds
        /// Extra model ids.
        public var aliases: [String: String] = [:]

        /// Defaults.
        public init() {}

    }
}
