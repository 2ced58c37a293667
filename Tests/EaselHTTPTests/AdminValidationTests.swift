import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import EaselApp
@testable import EaselHTTP

/// Bad input on every admin route is refused with 400 InvalidParameter (413 for large bodies) in the envelope, with
/// a message naming what is wrong.
@Suite struct AdminValidationTests {
    static let badRequests: [(HTTPRequest.Method, String, String?)] = [
        (.get, "apps?verbose=1", nil),
        (.post, "apps", nil),
        (.post, "apps", "{"),
        (.post, "apps", "[1]"),
        (.post, "apps", #"{"app_id": "one"}"#),
        (.post, "apps", #"{"app_id": 0}"#),
        (.post, "apps", #"{"app_id": 1.5}"#),
        (.post, "apps", #"{"app_id": 1, "colour": "red"}"#),
        (.post, "apps", #"{"app_id": 1, "sub_app_id": -3}"#),
        (.post, "apps", #"{"app_id": 1, "concurrency": -1}"#),
        (.post, "apps", #"{"app_id": 1, "concurrency": 100000}"#),
        (.post, "apps", #"{"app_id": 1, "create_rate_per_second": "fast"}"#),
        (.post, "apps", #"{"app_id": 1, "create_rate_per_second": -1}"#),
        (.post, "apps", #"{"app_id": 1, "callback_url": "ftp://example.com/x"}"#),
        (.post, "apps", #"{"app_id": 1, "webhook_url": "http://127.0.0.1/hook"}"#),
        (.post, "apps", #"{"app_id": 1, "webhook_url": 7}"#),
        (.post, "apps", #"{"app_id": 1, "bucket": "outputs"}"#),
        (.post, "apps", #"{"app_id": 1, "bucket_region": "Not A Region"}"#),
        (.post, "apps", #"{"app_id": 1, "name": ""}"#),
        (.post, "apps?x=1", #"{"app_id": 1}"#),
        (.get, "apps/abc", nil),
        (.get, "apps/0", nil),
        (.get, "apps/99999999999999999999", nil),
        (.get, "apps/251007502?sub_app_id=x", nil),
        (.get, "apps/251007502?sub_app_id=1&sub_app_id=2", nil),
        (.patch, "apps/251007502", #"{"app_id": 2}"#),
        (.patch, "apps/251007502", #"{"concurrency": "many"}"#),
        (.patch, "apps/251007502", "not json"),
        (.get, "keys?app_id=x", nil),
        (.get, "keys?secret=1", nil),
        (.post, "keys", "{}"),
        (.post, "keys", #"{"app_id": 1, "token_ttl_seconds": 0}"#),
        (.post, "keys", #"{"app_id": 1, "scope": "all"}"#),
        (.post, "keys/" + String(repeating: "A", count: 100) + "/revoke", nil),
        (.get, "tasks?limit=0", nil),
        (.get, "tasks?limit=501", nil),
        (.get, "tasks?limit=ten", nil),
        (.get, "tasks?status=done", nil),
        (.get, "tasks?status=waiting,,failed", nil),
        (.get, "tasks?dialect=soap", nil),
        (.get, "tasks?created_after=yesterday", nil),
        (.get, "tasks?created_after=2026-01-02T00:00:00Z&created_before=2026-01-01T00:00:00Z", nil),
        (.get, "tasks?cursor=garbage", nil),
        (.get, "tasks?model=GEM%203.0", nil),
        (.get, "tasks?app=1", nil),
        (.get, "tasks?app_id=-1", nil),
        (.get, "tasks/" + String(repeating: "x", count: 200), nil),
        (.post, "tasks/x/abort?force=1", nil),
        (.get, "deliveries?status=lost", nil),
        (.get, "deliveries?limit=0", nil),
        (.get, "deliveries?app_id=abc", nil),
        (.post, "deliveries/x/replay?now=1", nil),
        (.get, "usage?since=2026-13-01", nil),
        (.get, "usage?until=20260101", nil),
        (.get, "usage?since=2026-02-30", nil),
        (.get, "usage?since=2026-03-02&until=2026-03-01", nil),
        (.get, "usage?group=day", nil),
        (.post, "media", nil),
        (.post, "media?app_id=1&file_id=abc", nil),
        (.post, "media?app_id=x", nil),
    ]

    @Test func badInputOnEveryRouteIsAnsweredInTheEnvelope() async throws {
        try await TestServer.testAdmin { _, client in
            for (method, path, body) in Self.badRequests {
                try await client.admin(method, path, body: body).expectError(.badRequest, "InvalidParameter", "\(method) \(path) \(body ?? "")")
            }
        }
    }

    @Test func everyRouteIsCoveredByABadRequest() {
        for route in AdminRoutes.table {
            let pattern = route.path.split(separator: "/")
            let covered = Self.badRequests.contains { method, path, _ in
                let segments = path.split(separator: "?").first?.split(separator: "/") ?? []
                return method == route.method && segments.count == pattern.count
                    && zip(pattern, segments).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
            }
            #expect(covered, "\(route.method) \(route.path)")
        }
    }

    @Test func oversizedBodiesAreRefusedWith413() async throws {
        try await TestServer.testAdmin { _, client in
            let name = String(repeating: "n", count: AdminBody.limit)
            try await client.admin(.post, "apps", body: #"{"app_id": 1, "name": "\#(name)"}"#)
                .expectError(.contentTooLarge, "PayloadTooLarge")
            try await client.admin(.patch, "apps/251007502", body: #"{"name": "\#(name)"}"#)
                .expectError(.contentTooLarge, "PayloadTooLarge")
        }
    }

    @Test func messagesNameTheFieldAtFault() async throws {
        try await TestServer.testAdmin { _, client in
            let limit = try await client.admin(.get, "tasks?limit=0")
            #expect(limit.json["error"]?["message"]?.lenientString == "limit must be an integer from 1 to 500.")
            let unknown = try await client.admin(.post, "apps", body: #"{"app_id": 1, "colour": "red"}"#)
            #expect(unknown.json["error"]?["message"]?.lenientString?.contains("`colour`") == true)
        }
    }
}
