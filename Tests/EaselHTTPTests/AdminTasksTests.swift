import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import EaselApp
@testable import EaselHTTP

/// Tasks of every app through the admin API: search with filters and an opaque keyset cursor, detail, abort.
@Suite struct AdminTasksTests {
    @Test func searchFiltersAndPagesWithoutSkippingOrRepeating() async throws {
        let server = try await TestServer.withAdmin { $0.scheduling.createRateLimit = 0 }
        let other = try await server.server.runtime.createCredential(tenant: Tenant(appId: 71, subAppId: 72))
        try await server.test { client in
            var mine: [String] = []
            for index in 0..<5 { mine.append(try await client.createRESTTask(apiKey: server.credentials.apiKey, prompt: "mine \(index)")) }
            let theirs = try await client.createRESTTask(apiKey: other.apiKey, extra: #", "session_id": "sess-theirs""#)
            for id in mine + [theirs] { _ = try await client.waitForTask(id) { $0["status"] == .string("succeeded") } }

            var seen: [String] = []
            var cursor: String?
            repeat {
                let answer = try await client.admin(.get, "tasks?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(answer.status == .ok)
                let page = try #require(answer.json["tasks"]?.arrayValue)
                #expect(page.count <= 2)
                seen += page.compactMap { $0["task_id"]?.lenientString }
                cursor = answer.json["next_cursor"]?.lenientString
            } while cursor != nil
            #expect(seen == (mine + [theirs]).reversed(), "newest first, each once")

            let onlyTheirs = try await client.admin(.get, "tasks?app_id=71&sub_app_id=72&status=succeeded,failed&model=GEM-3.0&dialect=rest")
            #expect(onlyTheirs.json["tasks"]?.arrayValue?.compactMap { $0["task_id"]?.lenientString } == [theirs])
            #expect(onlyTheirs.json["next_cursor"] == .null)
            let summary = try #require(onlyTheirs.json["tasks"]?.arrayValue?.first)
            for field in ["task_id", "app_id", "sub_app_id", "dialect", "model", "status", "progress", "priority", "session_id",
                          "created_at", "started_at", "finished_at", "error_code", "error_message", "output_count", "attempts"] {
                #expect(summary[field] != nil, "TaskSummary.\(field)")
            }
            #expect(summary["model"] == .string("GEM-3.0"))
            #expect(summary["session_id"] == .string("sess-theirs"))
            #expect(summary["output_count"] == .int(1))
            let bySession = try await client.admin(.get, "tasks?session_id_prefix=sess-")
            #expect(bySession.json["tasks"]?.arrayValue?.count == 1)
            let byPrefix = try await client.admin(.get, "tasks?task_id_prefix=\(mine[0])")
            #expect(byPrefix.json["tasks"]?.arrayValue?.compactMap { $0["task_id"]?.lenientString } == [mine[0]])
            #expect(try await client.admin(.get, "tasks?status=waiting,processing").json["tasks"]?.arrayValue?.isEmpty == true)
            #expect(try await client.admin(.get, "tasks?dialect=vod").json["tasks"]?.arrayValue?.isEmpty == true)
            #expect(try await client.admin(.get, "tasks?created_before=2000-01-01T00:00:00Z").json["tasks"]?.arrayValue?.isEmpty == true)
            #expect(try await client.admin(.get, "tasks?created_after=2000-01-01T00:00:00Z").json["tasks"]?.arrayValue?.count == 6)
        }
    }

    @Test func detailShowsRequestOutputsKeyAndRun() async throws {
        try await TestServer.testAdmin { server, client in
            let id = try await client.createRESTTask(apiKey: server.credentials.apiKey, prompt: "a red fox",
                                                     extra: #", "negative_prompt": "fog", "session_context": "ctx-1""#)
            let detail = try await client.waitForTask(id) { $0["status"] == .string("succeeded") }
            #expect(detail["prompt"] == .string("a red fox"))
            #expect(detail["negative_prompt"] == .string("fog"))
            #expect(detail["session_context"] == .string("ctx-1"))
            #expect(detail["request"]?["model_name"] == .string("GEM"))
            #expect(detail["key_id"] == .string(server.credentials.secretId))
            #expect(detail["run"]?["engine"] == .string("sandbox"))
            #expect(detail["queue_position"] == .null)
            #expect(detail["deliveries"] == .array([]))
            let output = try #require(detail["outputs"]?.arrayValue?.first)
            let url = try #require(output["url"]?.lenientString)
            #expect(url.contains("/files/") && url.contains("sig="))
            #expect(output["content_type"]?.lenientString?.hasPrefix("image/") == true)
            #expect((output["width"]?.lenientInt ?? 0) > 0 && (output["size"]?.lenientInt ?? 0) > 0)
            // The URL is one the file route serves.
            let path = String(url.dropFirst(server.server.configuration.effectivePublicURL.count))
            try await client.execute(uri: path, method: .get) { response in #expect(response.status == .ok) }
            try await client.admin(.get, "tasks/251007502-AigcImageTask-nope").expectError(.notFound, "NotFound")
        }
    }

    @Test func abortAWaitingTaskOfAnyAppButNotAFinishedOne() async throws {
        try await TestServer.testAdmin { server, client in
            _ = try await client.admin(.patch, "apps/251007502", body: #"{"concurrency": 0}"#)
            let held = try await client.createRESTTask(apiKey: server.credentials.apiKey)
            let aborted = try await client.admin(.post, "tasks/\(held)/abort")
            #expect(aborted.status == .ok)
            #expect(aborted.json["status"] == .string("aborted"))
            #expect(aborted.json["task_id"] == .string(held))
            try await client.admin(.post, "tasks/\(held)/abort").expectError(.conflict, "Conflict", "aborting twice")
            _ = try await client.admin(.patch, "apps/251007502", body: #"{"concurrency": null}"#)
            let done = try await client.createRESTTask(apiKey: server.credentials.apiKey)
            _ = try await client.waitForTask(done) { $0["status"] == .string("succeeded") }
            try await client.admin(.post, "tasks/\(done)/abort").expectError(.conflict, "Conflict")
            try await client.admin(.post, "tasks/nope/abort").expectError(.notFound, "NotFound")
        }
    }
}
