/// What a test tells a fake that plays one upstream task: the vendor-specific expectations of its own type, and
/// how the task plays out (`play`).
protocol FakeTaskScript: Sendable {
    associatedtype Outcome: FakeTaskOutcome
    /// How the task answers its polls and ends.
    var play: FakeTaskPlay<Outcome> { get }
}
