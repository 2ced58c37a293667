import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Metrics
import Prometheus
import Synchronization
import Testing
@testable import EaselApp
@testable import EaselHTTP
import EaselTestSupport

/// `/metrics`: Prometheus text that parses, counters that move by exactly what happened, gauges read from the store.
@Suite struct OperatingMetricsTests {
    @Test func countersMoveByExactlyTheRequestsAndTasksThatHappened() async throws {
        // A registry of this test's own (task-local factory): parallel tests cannot move its counters.
        let registry = PrometheusCollectorRegistry()
        // The app's queue is held until the second task is cancelled, so it is still waiting however slow the machine;
        // then one task runs at a time, each for 1.5 s.
        let server = try await TestServer { $0.sandboxLatencyMilliseconds = 1500 }
        let store = server.server.runtime.store
        try await store.setConcurrency(0, for: server.tenant)
        let polls = Shared(0)
        let describeCode = Shared<String?>(nil)
        try await withMetricsFactory(EaselMetrics.factory(registry: registry)) {
            try await server.test { client in
                let first = try await RESTClient.create(client, server)
                let second = try await RESTClient.create(client, server)
                try await client.execute(uri: "/tencent-vod/v1/query/\(second)/cancel", method: .put,
                                         headers: RESTClient.bearer(server)) { response in
                    #expect(response.status == .ok, "the second task was still waiting")
                }
                try await store.setConcurrency(1, for: server.tenant)
                let third = try await RESTClient.create(client, server)
                #expect(try await RESTClient.status(client, server, "no-such-task").code == 404)
                let wrongKey = server.tc3Headers(action: "DescribeTaskDetail", body: #"{"TaskId": "x"}"#, secretKey: "wrong")
                let answer = try await server.call(client, "DescribeTaskDetail", #"{"TaskId": "x"}"#, headers: wrongKey)
                describeCode.value.withLock { $0 = answer.errorCode }
                #expect(try await server.call(client, "NoSuchAction", "{}").errorCode == "InvalidAction")
                for id in [first, third] {
                    try await waitUntil("task \(id) to finish") {
                        polls.value.withLock { $0 += 1 }
                        return (try? await RESTClient.status(client, server, id).status) == "COMPLETED"
                    }
                }
            }
        }
        let metrics = try PrometheusText(registry.emitToString())
        let http = "easel_http_requests_total"
        #expect(metrics.count(http, ["dialect": "rest", "action": "create", "code": "OK"]) == 3)
        #expect(metrics.count(http, ["dialect": "rest", "action": "cancel", "code": "OK"]) == 1)
        #expect(metrics.count(http, ["dialect": "rest", "action": "status", "code": "ResourceNotFound"]) == 1)
        #expect(metrics.count(http, ["dialect": "rest", "action": "status", "code": "OK"]) == Double(polls.value.withLock { $0 }))
        let code = try #require(describeCode.value.withLock { $0 })
        #expect(code.hasPrefix("AuthFailure"))
        #expect(metrics.count(http, ["dialect": "vod", "action": "DescribeTaskDetail", "code": code]) == 1)
        #expect(metrics.count(http, ["dialect": "vod", "action": "other", "code": "InvalidAction"]) == 1)
        #expect(metrics.count("easel_http_request_duration_seconds_count", ["dialect": "rest", "action": "create"]) == 3)

        let model = ["dialect": "rest", "model": "GG-2.5"]
        #expect(metrics.count("easel_tasks_created_total", model) == 3)
        #expect(metrics.count("easel_tasks_finished_total", model.merging(["outcome": "succeeded"]) { $1 }) == 2)
        #expect(metrics.count("easel_tasks_finished_total", model.merging(["outcome": "aborted"]) { $1 }) == 1)
        #expect(metrics.value("easel_tasks_finished_total", model.merging(["outcome": "failed"]) { $1 }) == nil)
        #expect(metrics.count("easel_images_produced_total", ["model": "GG-2.5"]) == 2)
        let run = ["model": "GG-2.5", "provider": "sandbox"]
        #expect(metrics.count("easel_queue_wait_seconds_count", run) == 2)
        #expect(metrics.count("easel_task_run_seconds_count", run) == 2)
        // The third task waited for the first one's 1.5 s run.
        #expect(metrics.count("easel_queue_wait_seconds_sum", run) >= 1)
        #expect(metrics.count("easel_task_run_seconds_sum", run) >= 3)
    }

    @Test func metricsEndpointRendersParsableTextWithTheQueueGaugesOfItsStore() async throws {
        let server = try await TestServer()
        // No dispatcher runs: the tasks stay queued.
        try await Application(router: server.server.router()).test(.router) { client in
            for priority in [5, 0, 0, -3] { _ = try await RESTClient.create(client, server, priority: priority) }
            let first = try await scrapeWithStoreGauges(client)
            #expect(first.types["easel_http_requests_total"] == "counter")
            #expect(first.types["easel_http_request_duration_seconds"] == "histogram")
            #expect(first.types["easel_queue_waiting"] == "gauge")
            #expect(first.value("easel_queue_waiting", ["priority_band": "high"]) == 1)
            #expect(first.value("easel_queue_waiting", ["priority_band": "normal"]) == 2)
            #expect(first.value("easel_queue_waiting", ["priority_band": "low"]) == 1)
            for band in ["high", "normal", "low"] { #expect(first.value("easel_tasks_running", ["priority_band": band]) == 0) }
            #expect(first.value("easel_deliveries_pending") == 0)
            #expect(first.value("easel_deliveries_dead") == 0)
            #expect(first.value("easel_build_info", ["version": EaselBuild.version, "store": "sqlite"]) == 1)
            let scrapes = ["dialect": "other", "action": "metrics", "code": "OK"]
            let second = try await scrape(client)
            #expect(second.count("easel_http_requests_total", scrapes) - first.count("easel_http_requests_total", scrapes) == 1)
        }
    }

    @Test func theAdminKeyOptionGuardsMetricsAndRefusesToStartWithoutAKeyCheck() async throws {
        let test = try await TestServer { $0.metrics.requireAdminKey = true }
        #expect(throws: ConfigurationError.self) { _ = try test.server.services() }
        try await Application(router: test.server.router()).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .unauthorized) }
        }
        var guarded = test.server
        guarded.metricsAuthorization = { $0.headers[.authorization] == "Bearer operator-key-0123456789" }
        _ = try guarded.services()
        try await Application(router: guarded.router()).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(test.credentials.apiKey)"]) { response in
                #expect(response.status == .unauthorized)
                let code = try JSONValue.parse(response.body.readableBytesView)["error"]?["code"]?.lenientString
                #expect(code == "Unauthorized")
            }
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer operator-key-0123456789"]) {
                #expect($0.status == .ok)
                _ = try PrometheusText(String(buffer: $0.body))
            }
        }
    }

    @Test func aSeparateMetricsPortTakesMetricsOffTheMainPort() async throws {
        let test = try await TestServer { $0.metrics.port = 0 }
        try await Application(router: test.server.router()).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .notFound) }
            // The probe stays on the main port; whether the store answered its ping within a second is not the point here.
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status != .notFound) }
        }
        try await Application(router: test.server.metricsRouter()).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            }
        }
    }

    /// A scrape that carries this server's queue figures: a store read slower than the gauges' 1 s timeout (a loaded
    /// machine) leaves the gauges as another test server of the process last set them, so the scrape is tried again
    /// once the 2 s cache has passed, for up to 20 s.
    private func scrapeWithStoreGauges(_ client: any TestClientProtocol) async throws -> PrometheusText {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let text = try await scrape(client)
            if text.value("easel_queue_waiting", ["priority_band": "normal"]) == 2 || ContinuousClock.now > deadline { return text }
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    private func scrape(_ client: any TestClientProtocol) async throws -> PrometheusText {
        try await client.execute(uri: "/metrics", method: .get) { response in
            #expect(response.status == .ok)
            return try PrometheusText(String(buffer: response.body))
        }
    }
}

/// REST proxy calls for the operating tests.
enum RESTClient {
    static func bearer(_ server: TestServer) -> HTTPFields {
        [.authorization: "Bearer \(server.credentials.apiKey)", .contentType: "application/json"]
    }

    static func create(_ client: any TestClientProtocol, _ server: TestServer, priority: Int = 0) async throws -> String {
        let body = #"{"model_name": "GG", "model_version": "2.5", "prompt": "a cat", "tasks_priority": \#(priority)}"#
        return try await client.execute(uri: "/tencent-vod/v1/aigc-image", method: .post, headers: bearer(server),
                                        body: ByteBuffer(string: body)) { response in
            #expect(response.status == .ok)
            return try #require(try JSONValue.parse(response.body.readableBytesView)["Response"]?["TaskId"]?.lenientString)
        }
    }

    static func status(_ client: any TestClientProtocol, _ server: TestServer, _ id: String) async throws -> (code: Int, status: String?) {
        try await client.execute(uri: "/tencent-vod/v1/query/\(id)/status", method: .get, headers: bearer(server)) { response in
            (Int(response.status.code), try JSONValue.parse(response.body.readableBytesView)["status"]?.lenientString)
        }
    }
}

/// A value tests share with `@Sendable` closures.
final class Shared<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ initial: Value) { value = Mutex(initial) }
    var current: Value { value.withLock { $0 } }
}
