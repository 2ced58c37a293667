import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import EaselApp
@testable import EaselHTTP
import EaselServices

/// The admin key the admin tests configure.
let testAdminKey = "sk-easel-admin-test-0123456789abcdef"

/// An admin answer: status and JSON body.
struct AdminAnswer {
    let status: HTTPResponse.Status
    let json: JSONValue

    /// `error.code` of an error envelope.
    var errorCode: String? { json["error"]?["code"]?.lenientString }

    /// Checks the error envelope: status, code, a message and a request id.
    func expectError(_ status: HTTPResponse.Status, _ code: String, _ comment: String = "",
                     sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(self.status == status, "\(comment): \(json)", sourceLocation: sourceLocation)
        #expect(errorCode == code, "\(comment): \(json)", sourceLocation: sourceLocation)
        #expect(json["error"]?["message"]?.lenientString?.isEmpty == false, "\(comment)", sourceLocation: sourceLocation)
        #expect(json["request_id"]?.lenientString?.count == 36, "\(comment)", sourceLocation: sourceLocation)
    }
}

extension TestServer {
    /// A server with the test admin key configured.
    static func withAdmin(configure: (inout EaselConfiguration) -> Void = { _ in }) async throws -> TestServer {
        try await TestServer { configuration in
            configuration.adminAPIKey = testAdminKey
            configure(&configuration)
        }
    }

    /// Runs `body` against a fresh server with the test admin key configured, handing it that server and a client of
    /// its router (see ``test(_:)``).
    static func testAdmin(_ body: @escaping @Sendable (TestServer, any TestClientProtocol) async throws -> Void) async throws {
        let server = try await withAdmin()
        try await server.test { client in try await body(server, client) }
    }
}

extension TestClientProtocol {
    /// Calls the admin API (`path` below `/easel/v1/admin`) with the admin key, or with `authorization`.
    func admin(_ method: HTTPRequest.Method, _ path: String, body: String? = nil, bytes: [UInt8]? = nil,
               authorization: String? = "Bearer \(testAdminKey)") async throws -> AdminAnswer {
        var headers: HTTPFields = [:]
        if let authorization { headers[.authorization] = authorization }
        if body != nil { headers[.contentType] = "application/json" }
        let buffer = bytes.map { ByteBuffer(bytes: $0) } ?? body.map { ByteBuffer(string: $0) }
        return try await execute(uri: "/easel/v1/admin/" + path, method: method, headers: headers, body: buffer) { response in
            #expect(response.headers[.contentType] == "application/json", "\(method) \(path)")
            let json = response.body.readableBytes == 0 ? JSONValue.null : try JSONValue.parse(response.body.readableBytesView)
            return AdminAnswer(status: response.status, json: json)
        }
    }

    /// Creates a REST task with an app's API key; returns its TaskId.
    func createRESTTask(apiKey: String, prompt: String = "a lighthouse", version: String = "3.0",
                        extra: String = "") async throws -> String {
        let body = #"{"model_name": "GEM", "model_version": "\#(version)", "prompt": "\#(prompt)"\#(extra)}"#
        return try await execute(uri: "/tencent-vod/v1/aigc-image", method: .post,
                                 headers: [.authorization: "Bearer \(apiKey)", .contentType: "application/json"],
                                 body: ByteBuffer(string: body)) { response in
            let json = try JSONValue.parse(response.body.readableBytesView)
            guard response.status == .ok, let id = json["Response"]?["TaskId"]?.lenientString else {
                throw TestFailure("REST create failed: \(response.status) \(json)")
            }
            return id
        }
    }

    /// Creates a REST task for each `(apiKey, prompt)`, then waits until every one has succeeded; returns their TaskIds
    /// in order.
    func createSucceededTasks(_ tasks: [(apiKey: String, prompt: String)]) async throws -> [String] {
        var ids: [String] = []
        for task in tasks { ids.append(try await createRESTTask(apiKey: task.apiKey, prompt: task.prompt)) }
        for id in ids { _ = try await waitForTask(id) { $0["status"] == .string("succeeded") } }
        return ids
    }

    /// Polls the admin task detail until `done` holds (at most `timeout`).
    func waitForTask(_ id: String, timeout: Duration = .seconds(20),
                     until done: (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        while true {
            let answer = try await admin(.get, "tasks/\(id)")
            if done(answer.json) { return answer.json }
            guard ContinuousClock.now < deadline else { throw TestFailure("task \(id) never reached the state: \(answer.json)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
