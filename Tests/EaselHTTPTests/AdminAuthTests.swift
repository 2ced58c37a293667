import EaselCore
import EaselStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import EaselApp
@testable import EaselHTTP

/// Only the admin key opens the admin API; app credentials of any kind never do; every refusal is in the envelope.
@Suite struct AdminAuthTests {
    static let routes: [(HTTPRequest.Method, String)] = [
        (.get, "apps"), (.post, "apps"), (.get, "apps/1"), (.patch, "apps/1"), (.get, "keys"), (.post, "keys"),
        (.post, "keys/AKIDx/revoke"), (.get, "tasks"), (.get, "tasks/x"), (.post, "tasks/x/abort"), (.get, "deliveries"),
        (.post, "deliveries/x/replay"), (.get, "usage"), (.post, "media?app_id=1"),
    ]

    @Test func appKeysAreForbiddenAndWrongKeysUnauthorizedOnEveryRoute() async throws {
        try await TestServer.testAdmin { server, client in
            for (method, path) in Self.routes {
                try await client.admin(method, path, authorization: "Bearer \(server.credentials.apiKey)")
                    .expectError(.forbidden, "Forbidden", "app key on \(method) \(path)")
                try await client.admin(method, path, authorization: "Bearer sk-easel-admin-wrong")
                    .expectError(.unauthorized, "Unauthorized", "wrong key on \(method) \(path)")
                try await client.admin(method, path, authorization: nil)
                    .expectError(.unauthorized, "Unauthorized", "no key on \(method) \(path)")
                try await client.admin(method, path, authorization: "Basic \(testAdminKey)")
                    .expectError(.unauthorized, "Unauthorized", "not Bearer on \(method) \(path)")
            }
            #expect(try await client.admin(.get, "apps").status == .ok)
        }
    }

    @Test func tencentSignedCallsCannotReachAdminRoutes() async throws {
        try await TestServer.testAdmin { server, client in
            var headers = server.tc3Headers(action: "DescribeTaskDetail", body: "{}")
            headers[.contentType] = "application/json"
            try await client.execute(uri: "/easel/v1/admin/keys", method: .get, headers: headers) { response in
                let answer = AdminAnswer(status: response.status, json: try JSONValue.parse(response.body.readableBytesView))
                answer.expectError(.forbidden, "Forbidden", "TC3 on an admin route")
            }
        }
    }

    @Test func revokedAppKeysStayForbidden() async throws {
        try await TestServer.testAdmin { _, client in
            let issued = try await client.admin(.post, "keys", body: #"{"app_id": 77}"#)
            let apiKey = try #require(issued.json["api_key"]?.lenientString)
            let secretId = try #require(issued.json["secret_id"]?.lenientString)
            #expect(try await client.admin(.post, "keys/\(secretId)/revoke").status == .ok)
            try await client.admin(.get, "apps", authorization: "Bearer \(apiKey)").expectError(.forbidden, "Forbidden")
        }
    }

    @Test func unknownAdminRoutesAndMethodsAnswerInTheAdminEnvelope() async throws {
        try await TestServer.testAdmin { _, client in
            try await client.admin(.get, "nothing").expectError(.notFound, "NotFound")
            try await client.admin(.get, "apps/1/extra").expectError(.notFound, "NotFound")
            try await client.admin(.delete, "apps/1").expectError(.methodNotAllowed, "MethodNotAllowed")
            try await client.admin(.put, "tasks").expectError(.methodNotAllowed, "MethodNotAllowed")
            try await client.admin(.get, "media").expectError(.methodNotAllowed, "MethodNotAllowed")
            try await client.execute(uri: "/easel/v1/admin", method: .get) { response in
                let answer = AdminAnswer(status: response.status, json: try JSONValue.parse(response.body.readableBytesView))
                answer.expectError(.notFound, "NotFound")
            }
            // The rest of /easel keeps the Tencent envelope.
            try await client.execute(uri: "/easel/v1/nothing", method: .get) { response in
                #expect(response.status == .notFound)
                let json = try JSONValue.parse(response.body.readableBytesView)
                #expect(json["Response"]?["Error"] != nil)
            }
        }
    }

    @Test func aGeneratedAdminKeyIsStoredOnlyHashedAndExactlyOneStartWinsIt() async throws {
        let server = try await TestServer()
        let runtime = server.server.runtime
        let configuration = server.server.configuration
        let sink = FileHandle(forWritingAtPath: "/dev/null")!
        let keys = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<6 { group.addTask { try await runtime.bootstrapAdminKey(configuration: configuration, output: sink) } }
            return try await group.reduce(into: [String]()) { if let key = $1 { $0.append(key) } }
        }
        #expect(keys.count == 1)
        let key = try #require(keys.first)
        #expect(key.hasPrefix("sk-easel-admin-"))
        #expect(try await runtime.store.setting("admin_key_sha256") == SHA256Hex.of(key))
        #expect(try await runtime.bootstrapAdminKey(configuration: configuration, output: sink) == nil)
        try await server.test { client in
            #expect(try await client.admin(.get, "apps", authorization: "Bearer \(key)").status == .ok)
            try await client.admin(.get, "apps").expectError(.unauthorized, "Unauthorized", "the test key is not configured here")
        }
    }

    @Test func aConfiguredAdminKeyIsNeverReplacedByAGeneratedOne() async throws {
        let server = try await TestServer.withAdmin()
        let sink = FileHandle(forWritingAtPath: "/dev/null")!
        #expect(try await server.server.runtime.bootstrapAdminKey(configuration: server.server.configuration, output: sink) == nil)
        #expect(try await server.server.runtime.store.setting("admin_key_sha256") == nil)
    }

    @Test func constantTimeComparisonComparesWholeDigests() {
        let digest = SHA256Hex.of("a")
        #expect(AdminAuthenticator.constantTimeEqual(digest, digest))
        #expect(AdminAuthenticator.constantTimeEqual(digest, digest.uppercased()))
        #expect(!AdminAuthenticator.constantTimeEqual(digest, SHA256Hex.of("b")))
        #expect(!AdminAuthenticator.constantTimeEqual(digest, String(digest.dropLast())))
    }
}
