/// The state behind a fake upstream: it learns the server's base URL once the server listens (for the result links
/// it hands out) and answers every request.
protocol FakeResponder: Actor {
    /// `http://127.0.0.1:<port>` once the server listens (empty before).
    var baseURL: String { get set }
    /// The answer to `request`.
    func respond(to request: FakeRequest) async throws -> FakeReply
}

extension FakeResponder {
    /// Records the server's base URL.
    func setBaseURL(_ url: String) { baseURL = url }
}

extension FakeUpstream {
    /// Runs `body` with the base URL of a fresh server answered by `responder`, which knows that URL before the first
    /// request; the server is stopped afterwards whatever happens.
    static func serve<T>(_ label: String, _ responder: some FakeResponder,
                         _ body: (String) async throws -> T) async throws -> T {
        try await run(label, respond: { try await responder.respond(to: $0) }) { upstream in
            await responder.setBaseURL(upstream.baseURL)
            return try await body(upstream.baseURL)
        }
    }
}
