import AsyncHTTPClient
import EaselCore
import Foundation
import Testing
@testable import EaselEngines

/// The shared upstream client against a real local server: a channel's `max_concurrency` is what limits it (not
/// AsyncHTTPClient's default 8 connections per host), waiting for a pooled connection is never a failure, and a
/// connection that cannot be made is a retryable error.
@Suite(.timeLimit(.minutes(1))) struct UpstreamConcurrencyTests {
    func channel(_ baseURL: String, maxConcurrency: Int, attempts: Int = 1) -> UpstreamChannel {
        UpstreamChannel(name: "slow", kind: .openaiCompatible, baseURL: baseURL,
                        models: [ModelRoute(name: "GG", version: "2.5")], timeout: .seconds(30),
                        maxConcurrency: maxConcurrency, maxAttempts: attempts)
    }

    func job(_ index: Int) -> EngineJob {
        EngineJob(taskId: "t\(index)", request: ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "p"),
                  outputSize: PixelSize(width: 8, height: 8), imageCount: 1)
    }

    /// Runs `body` with `client`, shutting the client down afterwards whatever happens.
    func using<T: Sendable>(_ client: HTTPClient, _ body: () async throws -> T) async throws -> T {
        let result: Result<T, any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        try await client.shutdown()
        return try result.get()
    }

    @Test func poolIsSizedFromTheChannelsPerHost() {
        let channels = [
            channel("https://api.example.com", maxConcurrency: 200),
            channel("https://API.example.com:443/v1", maxConcurrency: 50),
            channel("http://127.0.0.1:7860", maxConcurrency: 120),
        ]
        #expect(UpstreamClientFactory.connectionsPerHost(channels: channels) == 250)
        #expect(UpstreamClientFactory.connectionsPerHost(channels: []) == UpstreamClientFactory.minimumConnectionsPerHost)
        #expect(UpstreamClientFactory.connectionsPerHost(channels: [channel("http://a", maxConcurrency: 2)], minimum: 16) == 16)
        let configuration = UpstreamClientFactory.configuration(channels: channels)
        #expect(configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit == 250)
        #expect(configuration.httpVersion == .automatic)
    }

    @Test func aChannelRunsAsManyRequestsAtOnceAsItsMaxConcurrency() async throws {
        let latency = Duration.seconds(1)
        let jobs = 160
        try await SlowUpstreamServer.with(latency: latency) { server in
            let channel = channel(server.baseURL, maxConcurrency: 200)
            let client = UpstreamClientFactory.makeClient(channels: [channel])
            try await using(client) {
                let registry = try EngineRegistry.build(channels: [channel], http: .live(client), sandboxLatency: .zero)
                let engine = try #require(registry.engine(modelName: "GG", modelVersion: "2.5"))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<jobs {
                        group.addTask { _ = try await engine.generate(job(index)) { _ in } }
                    }
                    try await group.waitForAll()
                }
            }
            // AsyncHTTPClient's default pool would never have more than 8 requests in flight to one host.
            #expect(server.counters.highWater > 8, "at most \(server.counters.highWater) requests were in flight")
            #expect(server.counters.served == jobs)
        }
    }

    @Test func waitingForAPooledConnectionIsNotAFailure() async throws {
        try await SlowUpstreamServer.with(latency: .milliseconds(2_500)) { server in
            // One connection, and a connect timeout shorter than the queue wait: AsyncHTTPClient bounces the queued
            // requests after 1.5 s, and they must go back in rather than fail. (The connect timeout itself must leave
            // room for a connect on a loaded machine.)
            let configuration = UpstreamClientFactory.configuration(channels: [channel(server.baseURL, maxConcurrency: 1)],
                                                                    minimumConnectionsPerHost: 1,
                                                                    connectTimeout: .milliseconds(1_500))
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            let statuses = try await using(client) {
                let http = UpstreamHTTP.live(client, connectTimeout: .milliseconds(1_500))
                return try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<3 {
                        group.addTask {
                            try await http.send(UpstreamRequest(method: "POST", url: server.baseURL + "/v1/images/generations",
                                                                body: Array("{}".utf8), timeout: .seconds(20))).status
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            #expect(statuses == [200, 200, 200])
            #expect(server.counters.highWater == 1)
        }
    }

    @Test func aRefusedConnectionIsRetryableAndRetriedWithBackoff() async throws {
        // A port that was just listening and no longer is: connecting to it is refused.
        let closedURL = try await SlowUpstreamServer.with(latency: .zero) { $0.baseURL }
        let channel = channel(closedURL, maxConcurrency: 4, attempts: 2)
        let client = UpstreamClientFactory.makeClient(channels: [channel], connectTimeout: .milliseconds(300))
        let slept = Recorder<[Duration]>([])
        let error = try await using(client) {
            let engine = try ProviderEngines.engine(for: channel, http: .live(client, connectTimeout: .milliseconds(300)))
            let routed = RoutedEngine(routes: [RoutedEngine.Route(channel: channel, engine: engine)],
                                      sleep: { duration in slept.value.withLock { $0.append(duration) } })
            do {
                _ = try await routed.generate(job(0)) { _ in }
                return nil as EngineError?
            } catch let error as EngineError {
                return error
            }
        }
        let failure = try #require(error)
        #expect(failure.isRetryable)
        #expect(failure == UpstreamFailure.unavailable())
        #expect(!failure.message.contains("127.0.0.1") && !failure.message.contains(closedURL))
        #expect(slept.snapshot.count == 1, "a refused connection is retried after a backoff on the same channel")
    }
}
