import EaselCore

extension EngineRegistry {
    /// The registry for configured channels: each model runs on the channels that list it, in configuration order.
    /// With no channels at all, the sandbox serves everything (the zero-configuration default); with channels, a model
    /// no channel lists has no engine and is refused at create time. `slots` makes each channel's `max_concurrency`
    /// hold across the nodes sharing a store.
    public static func build(channels: [UpstreamChannel], http: UpstreamHTTP, sandboxLatency: Duration,
                             slots: (any SharedChannelSlots)? = nil) throws -> EngineRegistry {
        if channels.isEmpty { return .sandboxOnly(latency: sandboxLatency) }
        var routes: [String: [RoutedEngine.Route]] = [:]
        for channel in channels {
            let engine = try ProviderEngines.engine(for: channel, http: http)
            let limiter = ChannelLimiter(limit: channel.maxConcurrency)
            for model in channel.models {
                let key = key(name: model.name, version: model.version)
                // GEM and GG are one family: a channel listing both serves the model once.
                guard routes[key]?.contains(where: { $0.channel.name == channel.name }) != true else { continue }
                routes[key, default: []].append(RoutedEngine.Route(channel: channel, engine: engine, limiter: limiter, slots: slots))
            }
        }
        return EngineRegistry(routes: routes.mapValues { RoutedEngine(routes: $0) }, fallback: nil)
    }

    static func key(name: String, version: String) -> String {
        "\(ModelRoute.family(name))/\(version.lowercased())"
    }
}
