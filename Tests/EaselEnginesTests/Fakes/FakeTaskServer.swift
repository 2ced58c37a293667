/// A running fake that plays one upstream task, its state recording what it saw.
protocol FakeTaskServer: Sendable {
    associatedtype State: FakeTaskRecorder
    /// `http://127.0.0.1:<port>`.
    var baseURL: String { get }
    /// The fake's memory.
    var state: State { get }

    init(baseURL: String, state: State)
}

extension FakeTaskServer {
    /// Runs `body` against a fresh fake answered by `state`, stopped afterwards whatever happens.
    static func serve<T>(_ label: String, _ state: State, _ body: (Self) async throws -> T) async throws -> T {
        try await FakeUpstream.serve(label, state) { try await body(Self(baseURL: $0, state: state)) }
    }

    /// Creates received.
    var submits: Int { get async { await state.submits } }
    /// Paths polled, in order.
    var polls: [String] { get async { await state.polls } }
    /// Path, header and field mismatches found (empty when every request was exact).
    var problems: [String] { get async { await state.problems } }
    /// Why credentials were refused (empty when all verified).
    var refusals: [String] { get async { await state.memory.refusals } }
    /// All the fake remembers, read at once.
    var memory: FakeTaskMemory<State.Script> { get async { await state.memory } }
}
