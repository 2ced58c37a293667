/// What the script of every fake that plays one upstream task says about its polls.
protocol FakeTaskScript: Sendable {
    /// Answers to the first polls, before the task progresses.
    var pollReplies: [FakeReply] { get }
    /// Polls answered in the vendor's waiting states before the outcome.
    var pollsBeforeDone: Int { get }
}
