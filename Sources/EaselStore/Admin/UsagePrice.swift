import EaselMacros

/// The price of a model's usage, in any currency (`usage.prices` in the configuration).
@MemberwiseInit
public struct UsagePrice: Sendable, Equatable, Codable {
    /// Per image produced by succeeded tasks.
    public var perImage: Double?
    /// Per succeeded task.
    public var perTask: Double?
}
