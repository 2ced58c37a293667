/// How far the one upstream task a fake plays has got through its ``FakeTaskPlay``: first the replies a test
/// scripted, then `pollsBeforeDone` polls in the vendor's waiting states, then the task's outcome.
struct FakeTaskProgress: Sendable {
    /// What the next poll answers.
    enum Step {
        /// A reply the test scripted, sent as it is.
        case scripted(FakeReply)
        /// The task is still waiting: this is its `n`-th waiting poll (from 1).
        case waiting(Int)
        /// The task has reached its outcome.
        case done
    }

    private var scripted: [FakeReply]
    private let pollsBeforeDone: Int
    private var waited = 0

    init(_ play: FakeTaskPlay<some FakeTaskOutcome>) {
        scripted = play.pollReplies
        pollsBeforeDone = play.pollsBeforeDone
    }

    /// Advances the task by one poll.
    mutating func next() -> Step {
        if !scripted.isEmpty { return .scripted(scripted.removeFirst()) }
        waited += 1
        return waited <= pollsBeforeDone ? .waiting(waited) : .done
    }
}
