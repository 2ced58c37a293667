import Configuration

extension EaselConfiguration {
    /// The OpenAI images dialect's defaults. Keys (environment variable, default):
    /// - `openai.default_model` (`EASEL_OPENAI_DEFAULT_MODEL`, `GG-2.5`): the model when a request names none;
    /// - `openai.wait_timeout_seconds` (`EASEL_OPENAI_WAIT_SECONDS`, 300): how long `/v1/images/generations` waits
    ///   before `504`;
    /// - `openai.aliases` (file only, `{}`): extra model ids, e.g. `{"gpt-image-1": "OG-image2_medium"}`, added to
    ///   the built-in ones.
    public struct OpenAIDefaults: Sendable, Equatable {
        /// Model used when a request names none.
        public var defaultModel = EaselSettings.openAIDefaultModel.defaultValue
        /// Seconds a synchronous generation waits.
        public var waitSeconds = EaselSettings.openAIWaitSeconds.defaultValue
        /// Extra model ids.
        public var aliases: [String: String] = [:]

        /// Defaults.
        public init() {}

        /// Reads `openai.*` through `reader`, the aliases from the file's `openai` section.
        init(reader: ConfigReader, aliases: [String: String]) throws {
            defaultModel = try reader.value(EaselSettings.openAIDefaultModel)
            waitSeconds = try reader.value(EaselSettings.openAIWaitSeconds)
            self.aliases = aliases
        }
    }
}
