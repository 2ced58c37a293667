/// How the one upstream task a fake plays answers its polls: first the replies a test scripted, then
/// `pollsBeforeDone` polls in the vendor's waiting states, then `outcome`.
struct FakeTaskPlay<Outcome: FakeTaskOutcome>: Sendable {
    /// Answers to the first polls, before the task progresses.
    var pollReplies: [FakeReply] = []
    /// Polls answered in the vendor's waiting states before the outcome.
    var pollsBeforeDone = Outcome.waitingPolls
    /// How the task ends.
    var outcome = Outcome.documentedSuccess
    /// The task already exists upstream (resume): polling it needs no create.
    var existingTask = false
}
