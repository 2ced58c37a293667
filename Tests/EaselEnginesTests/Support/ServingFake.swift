/// A fake upstream that serves while a body runs, handing it the fake's base URL (`http://127.0.0.1:<port>`).
protocol ServingFake: Sendable {
    /// Serves while `body` runs; the server is stopped afterwards whatever happens.
    func run(_ body: (String) async throws -> Void) async throws
}
