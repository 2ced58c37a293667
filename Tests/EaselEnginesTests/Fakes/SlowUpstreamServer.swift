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
        return try await FakeUpstream.run("slow-upstream", respond: { request in
            guard request.method == "POST" else { return .text(404, "", type: "") }
            counters.enter()
            defer { counters.leave() }
            try await Task.sleep(for: latency)
            return FakeReply(status: 200, body: answer)
        }) { upstream in
            try await body(SlowUpstreamServer(baseURL: upstream.baseURL, counters: counters))
        }
    }
}
