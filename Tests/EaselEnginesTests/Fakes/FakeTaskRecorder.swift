/// The state of a fake that plays one upstream task: a ``FakeTaskMemory`` behind an actor, which the fake's
/// `respond` reads and updates through the members below.
protocol FakeTaskRecorder: FakeResponder {
    associatedtype Script: FakeTaskScript
    var memory: FakeTaskMemory<Script> { get set }
}

extension FakeTaskRecorder {
    /// What the test told the fake.
    var script: Script { memory.script }
    var baseURL: String {
        get { memory.baseURL }
        set { memory.baseURL = newValue }
    }
    /// Creates received.
    var submits: Int {
        get { memory.submits }
        set { memory.submits = newValue }
    }
    /// Paths polled, in order.
    var polls: [String] {
        get { memory.polls }
        set { memory.polls = newValue }
    }
    /// Path, header and field mismatches found (empty when every request was exact).
    var problems: [String] {
        get { memory.problems }
        set { memory.problems = newValue }
    }
}
