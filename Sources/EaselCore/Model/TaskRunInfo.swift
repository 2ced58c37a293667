/// Facts about how a task ran, kept with its record and shown by the dialects (`EaselMetadata`) and the admin API
/// (`run`). Stored as the string map older records already hold under `metadata`, so both read each other.
public struct TaskRunInfo: Codable, Sendable, Equatable {
    /// The engine (or failover chain, comma-separated) that produced the outputs.
    public var engine: String?
    /// Whether the sandbox renderer drew the outputs (placeholders, not a model's images).
    public var isSandbox = false
    /// The prompt actually sent upstream, when enhancement rewrote it.
    public var promptSent: String?
    /// Why prompt enhancement was skipped, when it was asked for but not done.
    public var promptEnhancement: String?
    /// The engine's resume token (`channel|upstream task id`), checkpointed so a resumed task polls instead of
    /// submitting again.
    public var resumeToken: String?
    /// Keys this version does not know, kept as they were.
    public var other: [String: String] = [:]

    private enum Key {
        static let engine = "engine"
        static let sandbox = "sandbox"
        static let promptSent = "prompt_sent"
        static let promptEnhancement = "prompt_enhancement"
        static let resumeToken = "upstream_task"
        static let known: Set = [engine, sandbox, promptSent, promptEnhancement, resumeToken]
    }

    /// Nothing known yet.
    public init() {}

    /// Reads the string map (`metadata` of a stored record).
    public init(fields: [String: String]) {
        engine = fields[Key.engine]
        isSandbox = fields[Key.sandbox] == "true"
        promptSent = fields[Key.promptSent]
        promptEnhancement = fields[Key.promptEnhancement]
        resumeToken = fields[Key.resumeToken]
        other = fields.filter { !Key.known.contains($0.key) }
    }

    /// The string map the views show and the record stores.
    public var fields: [String: String] {
        var fields = other
        fields[Key.engine] = engine
        if isSandbox { fields[Key.sandbox] = "true" }
        fields[Key.promptSent] = promptSent
        fields[Key.promptEnhancement] = promptEnhancement
        fields[Key.resumeToken] = resumeToken
        return fields
    }

    /// Whether nothing is recorded.
    public var isEmpty: Bool { fields.isEmpty }

    public init(from decoder: any Decoder) throws {
        self.init(fields: try decoder.singleValueContainer().decode([String: String].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(fields)
    }
}
