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
        case "sandbox":
            return SandboxEngine(latency: .milliseconds(Int(channel.options["latency_ms"] ?? "0") ?? 0))
        default:
            throw ConfigurationError(description: "upstream \(channel.name): unknown provider `\(channel.provider)`; known: \(known.joined(separator: ", "))")
        }
    }

    /// The provider kinds this build knows.
    public static let known = ["sandbox"]
}
