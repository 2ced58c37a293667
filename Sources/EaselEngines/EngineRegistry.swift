import EaselCore

/// Chooses the engine that runs a model. In the zero-configuration default the sandbox serves every model;
/// once upstream routes exist, a model without one has no engine and is refused at create time.
public struct EngineRegistry: Sendable {
    private let routes: [String: any ImageEngine]
    private let fallback: (any ImageEngine)?

    /// Creates a registry. `routes` keys are `NAME/VERSION` in lower case (GEM as GG); `fallback` serves unrouted models.
    public init(routes: [String: any ImageEngine] = [:], fallback: (any ImageEngine)?) {
        self.routes = routes
        self.fallback = fallback
    }

    /// The sandbox-only registry of a fresh install.
    public static func sandboxOnly(latency: Duration) -> EngineRegistry {
        EngineRegistry(fallback: SandboxEngine(latency: latency))
    }

    /// The engine for a model, or nil when none is configured.
    public func engine(modelName: String, modelVersion: String) -> (any ImageEngine)? {
        routes[Self.key(name: modelName, version: modelVersion)] ?? fallback
    }

    /// Whether every model runs on the sandbox (said loudly at startup).
    public var isSandboxOnly: Bool { routes.isEmpty && fallback?.isSandbox == true }
}
