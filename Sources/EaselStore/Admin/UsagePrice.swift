/// The price of a model's usage, in any currency (`usage.prices` in the configuration).
public struct UsagePrice: Sendable, Equatable, Codable {
    /// Per image produced by succeeded tasks.
    public var perImage: Double?
    /// Per succeeded task.
    public var perTask: Double?

    /// Creates a price.
    public init(perImage: Double? = nil, perTask: Double? = nil) {
        self.perImage = perImage
        self.perTask = perTask
    }
}
