import AsyncHTTPClient
import ServiceLifecycle

/// Runs until graceful shutdown, then shuts the shared HTTP client down (it must be, or it leaks).
struct HTTPClientService: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
