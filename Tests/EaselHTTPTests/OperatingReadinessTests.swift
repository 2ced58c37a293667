import AsyncHTTPClient
import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle
import Testing
@testable import EaselApp
@testable import EaselHTTP
import EaselTestSupport

/// `/readyz` tells a load balancer whether to send work: ready while the store answers, 503 from the moment the node
/// drains, while the in-flight tasks finish and the API keeps answering.
@Suite struct OperatingReadinessTests {
    @Test func readyzTurnsDrainingWhileHealthzStaysLive() async throws {
        let test = try await TestServer()
        try await Application(router: test.server.router()).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                let body = try JSONValue.parse(response.body.readableBytesView)
                #expect(response.status == .ok)
                #expect(body == .object(["status": .string("ready")]))
            }
            test.server.readiness.beginDraining()
            try await client.execute(uri: "/readyz", method: .get) { response in
                let body = try JSONValue.parse(response.body.readableBytesView)
                #expect(response.status == .serviceUnavailable)
                #expect(body == .object(["status": .string("draining")]))
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func onShutdownTheTaskInFlightFinishesWhileTheAPIStillAnswers() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let test = try await TestServer(logger: logger) {
            $0.server.port = 0
            $0.sandboxLatencyMilliseconds = 3000
        }
        let port = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(configuration: .init(
            services: try test.server.services(onServerRunning: { port.continuation.yield($0) }).map { .init(service: $0) },
            logger: logger))
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var ports = port.stream.makeAsyncIterator()
            let listening = await ports.next()
            let base = "http://127.0.0.1:\(try #require(listening))"
            let bearer = ["Authorization": "Bearer \(test.credentials.apiKey)"]
            let created = try await http.json(base + "/tencent-vod/v1/aigc-image", headers: bearer,
                                              body: #"{"model_name": "GG", "model_version": "2.5", "prompt": "a slow cat"}"#)
            let id = try #require(created.body["Response"]?["TaskId"]?.lenientString)
            let status = base + "/tencent-vod/v1/query/\(id)/status"
            try await waitUntil("the task to start") { try await http.json(status, headers: bearer).body["status"]?.lenientString == "IN_PROGRESS" }

            await group.triggerGracefulShutdown()
            try await waitUntil("readiness to flip") { try await http.json(base + "/readyz").status == 503 }
            #expect(try await http.json(base + "/readyz").body == .object(["status": .string("draining")]))
            #expect(try await http.json(base + "/healthz").status == 200)
            let during = try await http.json(status, headers: bearer)
            #expect(during.status == 200)
            #expect(during.body["status"]?.lenientString == "IN_PROGRESS", "the query was answered while the task still ran")
            try await waitUntil("the task to finish") { try await http.json(status, headers: bearer).body["status"]?.lenientString == "COMPLETED" }
            try await tasks.next()
        }
        try await http.shutdown()
        let stored = try await test.server.runtime.store.tasks(tenant: test.tenant, statuses: nil, since: .distantPast, limit: 5, offset: 0)
        #expect(stored.map(\.status) == [.succeeded], "the drained task was recorded as done, not released")
    }
}

extension HTTPClient {
    /// A request answered with JSON: a POST when there is a body, else a GET.
    func json(_ url: String, headers: [String: String] = [:], body: String? = nil) async throws -> (status: Int, body: JSONValue) {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), try JSONValue.parse(bytes.readableBytesView))
    }
}
