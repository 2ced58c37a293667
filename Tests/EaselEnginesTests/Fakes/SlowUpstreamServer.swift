import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
@testable import EaselEngines

/// An OpenAI-compatible upstream that answers every request with one small PNG after `latency`, counting how many
/// requests it holds at once, so a test can see whether the client really runs them in parallel.
struct SlowUpstreamServer: Sendable {
    /// In-flight and high-water counts, shared with the request handler.
    final class Counters: Sendable {
        private let state = Mutex((inFlight: 0, highWater: 0, served: 0))

        /// The most requests held at once.
        var highWater: Int { state.withLock { $0.highWater } }
        /// Requests answered.
        var served: Int { state.withLock { $0.served } }

        func enter() {
            state.withLock { state in
                state.inFlight += 1
                state.highWater = max(state.highWater, state.inFlight)
            }
        }

        func leave() {
            state.withLock { state in
                state.inFlight -= 1
                state.served += 1
            }
        }
    }

    /// `http://127.0.0.1:<port>`.
    let baseURL: String
    /// What the server saw.
    let counters: Counters

    /// Runs `body` against a fresh server, which is stopped afterwards whatever happens.
    static func with<T: Sendable>(latency: Duration, _ body: @Sendable (SlowUpstreamServer) async throws -> T) async throws -> T {
        let counters = Counters()
        let png = SandboxRenderer().render(prompt: "slow", seed: 1, index: 0, width: 8, height: 8, format: .png).bytes
        let answer = Array(JSONValue.object([
            "created": .int(1_766_000_000),
            "data": .array([.object(["b64_json": .string(Data(png).base64EncodedString())])]),
        ]).encoded())
        let router = Router()
        router.post("**") { request, _ -> Response in
            counters.enter()
            defer { counters.leave() }
            _ = try await request.body.collect(upTo: 1 << 20)
            try await Task.sleep(for: latency)
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer)))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "slow-upstream")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in
                                  continuation.yield(channel.localAddress?.port ?? 0)
                                  continuation.finish()
                              }, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw ServerDidNotStart() }
            let result = try await body(SlowUpstreamServer(baseURL: "http://127.0.0.1:\(port)", counters: counters))
            group.cancelAll()
            return result
        }
    }

    private struct ServerDidNotStart: Error {}
}
