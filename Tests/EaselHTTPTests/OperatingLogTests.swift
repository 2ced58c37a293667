import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import EaselApp
@testable import EaselHTTP
import EaselServices

/// Structured logs: one JSON object per line, and one access line per request with the request's facts.
@Suite struct OperatingLogTests {
    @Test func aJSONLineHoldsTimeLevelMessageLabelAndTheMetadataFlattened() throws {
        let lines = Shared<[String]>([])
        var logger = Logger(label: "easel.test") { JSONLogHandler(label: $0) { line in lines.value.withLock { $0.append(line) } } }
        logger[metadataKey: "node"] = "a"
        logger.notice("said \"hi\"\nthen left", metadata: [
            "task.id": "t-1", "count": .stringConvertible(3), "ratio": .stringConvertible(0.5), "ok": .stringConvertible(true),
            "nested": ["a": "1", "b": ["c": "2"]], "list": ["x", "y"], "message": "shadow", "url": "http://h/p?q=\u{1}",
        ])
        logger.debug("below the level")
        let written = lines.current
        try #require(written.count == 1)
        let line = written[0]
        #expect(line.hasSuffix("}\n"))
        #expect(line.dropLast().contains("\n") == false, "one line per event")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let time = try #require(object["time"] as? String)
        #expect(time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(time)")
        let parsed = try #require(ISO8601DateFormatter.withFractionalSeconds.date(from: time))
        #expect(abs(parsed.timeIntervalSinceNow) < 60)
        #expect(object["level"] as? String == "notice")
        #expect(object["message"] as? String == "said \"hi\"\nthen left")
        #expect(object["label"] as? String == "easel.test")
        #expect(object["node"] as? String == "a")
        #expect(object["task.id"] as? String == "t-1")
        #expect((object["count"] as? NSNumber)?.intValue == 3)
        #expect((object["ratio"] as? NSNumber)?.doubleValue == 0.5)
        #expect(object["ok"] as? Bool == true)
        #expect(object["nested.a"] as? String == "1")
        #expect(object["nested.b.c"] as? String == "2")
        #expect(object["list"] as? [String] == ["x", "y"])
        #expect(object["metadata.message"] as? String == "shadow")
        #expect(object["url"] as? String == "http://h/p?q=\u{1}")
    }

    @Test func eachRequestWritesOneAccessLineWithTheIdTheDialectAnswered() async throws {
        let lines = Shared<[String]>([])
        var logger = Logger(label: "easel") { JSONLogHandler(label: $0) { line in lines.value.withLock { $0.append(line) } } }
        logger.logLevel = .info
        let test = try await TestServer(logger: logger)
        let answered = Shared<[String: String]>([:])
        try await Application(router: test.server.router()).test(.router) { client in
            let body = #"{"model_name": "GG", "model_version": "2.5", "prompt": "a cat"}"#
            try await client.execute(uri: "/tencent-vod/v1/aigc-image", method: .post, headers: RESTClient.bearer(test),
                                     body: ByteBuffer(string: body)) { response in
                let envelope = try #require(try JSONValue.parse(response.body.readableBytesView)["Response"])
                answered.value.withLock {
                    $0["rest"] = envelope["RequestId"]?.lenientString
                    $0["task"] = envelope["TaskId"]?.lenientString
                }
            }
            let failed = try await test.call(client, "DescribeTaskDetail", #"{"TaskId": "251007502-AigcImage-nope"}"#)
            answered.value.withLock { $0["vod"] = failed["RequestId"]?.lenientString }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
        let access = try lines.current.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            .filter { $0["message"] as? String == "request" }
        try #require(access.count == 2, "one line per request, none at info for /healthz: \(lines.current)")
        let ids = answered.current
        let rest = access[0]
        #expect(rest["request_id"] as? String == ids["rest"])
        #expect(rest["dialect"] as? String == "rest")
        #expect(rest["action"] as? String == "create")
        #expect(rest["app"] as? String == "251007502")
        #expect(rest["task_id"] as? String == ids["task"])
        #expect((rest["status"] as? NSNumber)?.intValue == 200)
        #expect(rest["code"] as? String == "OK")
        #expect((rest["latency_ms"] as? NSNumber).map { $0.doubleValue >= 0 } == true)
        let vod = access[1]
        #expect(vod["request_id"] as? String == ids["vod"])
        #expect(vod["dialect"] as? String == "vod")
        #expect(vod["action"] as? String == "DescribeTaskDetail")
        #expect(vod["app"] as? String == "251007502")
        #expect(vod["task_id"] as? String == "251007502-AigcImage-nope")
        #expect(vod["code"] as? String == "ResourceNotFound")
    }
}

extension ISO8601DateFormatter {
    static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}

extension TestServer {
    /// A test server whose routes and workers log through `logger`.
    init(logger: Logger, configure: (inout EaselConfiguration) -> Void = { _ in }) async throws {
        var configuration = EaselConfiguration()
        configuration.dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("easel-http-\(UUID().uuidString)").path
        configure(&configuration)
        let application = try buildApplication(configuration: configuration, logger: logger)
        server = try application.makeServer()
        credentials = try await application.runtime.createCredential(tenant: tenant)
    }
}
