/// A running fake that plays one upstream task, its state recording what it saw.
protocol FakeTaskServer: Sendable {
    associatedtype State: FakeTaskRecorder
    /// `http://127.0.0.1:<port>`.
    var baseURL: String { get }
    /// The fake's memory.
    var state: State { get }
}

extension FakeTaskServer {
    /// Creates received.
    var submits: Int { get async { await state.submits } }
    /// Path, header and field mismatches found (empty when every request was exact).
    var problems: [String] { get async { await state.problems } }
    /// Why credentials were refused (empty when all verified).
    var refusals: [String] { get async { await state.memory.refusals } }
    /// All the fake remembers, read at once.
    var memory: FakeTaskMemory<State.Script> { get async { await state.memory } }
}
