/// A server named on the command line, with its admin key.
struct AdminTarget: Sendable {
    /// Base URL.
    let url: String
    /// Admin key.
    let key: String

    /// Runs `body` with the admin API; the HTTP client is shut down afterwards.
    func run<T: Sendable>(_ body: (AdminAPI) async throws -> T) async throws -> T {
        try await HTTPSession.with(url: url, bearer: key) { session in try await body(AdminAPI(session: session)) }
    }
}
