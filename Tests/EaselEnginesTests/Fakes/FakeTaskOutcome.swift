/// How the one upstream task a fake plays ends; each vendor's fake lists its own ways.
protocol FakeTaskOutcome: Sendable {
    /// The vendor's documented success, which the task reaches unless a test scripts another outcome.
    static var documentedSuccess: Self { get }
    /// Polls answered in the vendor's waiting states before the outcome, unless a test scripts another number.
    static var waitingPolls: Int { get }
}
