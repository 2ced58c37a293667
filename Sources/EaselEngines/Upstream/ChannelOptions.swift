import EaselCore

/// A channel's `options`, checked once when its engine is built: every key must be one the provider knows and every
/// value must parse, or building fails with one line naming the upstream, the option and what is accepted.
public struct ChannelOptions: Sendable {
    private let upstream: String
    private let values: [String: String]

    /// Checks that `channel.options` has only keys from `accepted` (the values are read with the typed accessors).
    public init(_ channel: UpstreamChannel, accepted: [String]) throws {
        upstream = channel.name
        values = channel.options
        let known = Set(accepted)
        if let unknown = channel.options.keys.sorted().first(where: { !known.contains($0) }) {
            let list = accepted.isEmpty ? "none" : accepted.sorted().joined(separator: ", ")
            throw problem("option `\(unknown)` is not known to \(channel.kind.rawValue) channels; accepted: \(list)")
        }
    }

    /// The text of `key`, when set (empty counts as set).
    public func text(_ key: String) -> String? { values[key] }

    /// The text of `key` when set and not empty.
    public func nonEmpty(_ key: String) -> String? { values[key].flatMap { $0.isEmpty ? nil : $0 } }

    /// `key` as a whole number in `range`.
    public func integer<R: RangeExpression<Int>>(_ key: String, in range: R, _ what: String) throws -> Int? {
        guard let text = values[key] else { return nil }
        guard let value = Int(text.trimmingWhitespace()), range.contains(value) else {
            throw problem("option `\(key)` must be \(what), got `\(text)`")
        }
        return value
    }

    /// `key` as a number in `range`.
    public func number(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let text = values[key] else { return nil }
        guard let value = Double(text.trimmingWhitespace()), range.contains(value) else {
            throw problem("option `\(key)` must be a number from \(range.lowerBound) to \(range.upperBound), got `\(text)`")
        }
        return value
    }

    /// `key` as `true` or `false`.
    public func flag(_ key: String) throws -> Bool? {
        guard let text = values[key] else { return nil }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw problem("option `\(key)` must be true or false, got `\(text)`")
        }
    }

    /// `key` as one of `choices` (compared case-insensitively; the choice is returned as listed).
    public func choice(_ key: String, _ choices: [String]) throws -> String? {
        guard let text = values[key] else { return nil }
        guard let match = choices.first(where: { $0.lowercased() == text.lowercased() }) else {
            throw problem("option `\(key)` must be one of \(choices.joined(separator: ", ")), got `\(text)`")
        }
        return match
    }

    /// `poll_interval_ms`: the first poll delay (1 ms to 10 min), or the default.
    public func pollInterval() throws -> Duration {
        try integer("poll_interval_ms", in: 1...600_000, "a whole number of milliseconds from 1 to 600000")
            .map(Duration.milliseconds) ?? PollSchedule.defaultFirst
    }

    /// `max_image_bytes`: the largest result image accepted, or `fallback`.
    public func maxImageBytes(default fallback: Int = ResultDownloader.defaultMaxBytes) throws -> Int {
        try integer("max_image_bytes", in: 1..., "a positive whole number of bytes") ?? fallback
    }

    /// A configuration problem of this channel, as one line.
    public func problem(_ what: String) -> ProviderEngines.ConfigurationError {
        ProviderEngines.ConfigurationError(description: "upstream \(upstream): \(what).")
    }
}
