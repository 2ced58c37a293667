import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import EaselApp
@testable import EaselHTTP
import EaselEngines

/// Keys and media through the admin API.
@Suite struct AdminKeysMediaTests {
    @Test func createListAndRevokeKeys() async throws {
        try await TestServer.testAdmin { _, client in
            let created = try await client.admin(.post, "keys", body: #"{"app_id": 88, "sub_app_id": 89, "token_ttl_seconds": 3600}"#)
            #expect(created.status == .created)
            for field in ["secret_id", "secret_key", "api_key", "token", "expires_at", "webhook_secret"] {
                #expect(created.json[field]?.lenientString?.isEmpty == false, "\(field)")
            }
            #expect(created.json["app_id"] == .int(88) && created.json["sub_app_id"] == .int(89))
            let permanent = try await client.admin(.post, "keys", body: #"{"app_id": 88}"#)
            #expect(permanent.json["token"] == .null && permanent.json["expires_at"] == .null)
            #expect(permanent.json["sub_app_id"] == .int(88))
            let apiKey = try #require(permanent.json["api_key"]?.lenientString)
            // The new key works on the app dialects at once.
            _ = try await client.createRESTTask(apiKey: apiKey)

            let listed = try #require(try await client.admin(.get, "keys?app_id=88").json["keys"]?.arrayValue)
            #expect(listed.count == 2)
            let temporaryId = try #require(created.json["secret_id"]?.lenientString)
            #expect(listed.first { $0["secret_id"] == .string(temporaryId) }?["temporary"] == .bool(true))
            #expect(listed.first { $0["secret_id"] != .string(temporaryId) }?["temporary"] == .bool(false))
            for key in listed {
                #expect(Set(key.objectValue?.keys.map { $0 } ?? []) == ["secret_id", "app_id", "sub_app_id", "created_at", "expires_at",
                                                                           "revoked_at", "temporary"], "never a secret")
            }
            #expect(try await client.admin(.get, "keys").json["keys"]?.arrayValue?.count == 3)

            let secretId = try #require(permanent.json["secret_id"]?.lenientString)
            let revoked = try await client.admin(.post, "keys/\(secretId)/revoke")
            #expect(revoked.json == .object(["secret_id": .string(secretId), "revoked": .bool(true)]))
            await #expect(throws: TestFailure.self, "a revoked key stops working at once") {
                try await client.createRESTTask(apiKey: apiKey)
            }
            let after = try #require(try await client.admin(.get, "keys?app_id=88").json["keys"]?.arrayValue)
            #expect(after.first { $0["secret_id"] == .string(secretId) }?["revoked_at"]?.lenientString != nil)
            try await client.admin(.post, "keys/AKIDunknown/revoke").expectError(.notFound, "NotFound")
        }
    }

    @Test func importMedia() async throws {
        let server = try await TestServer.withAdmin()
        let png = PNGEncoder.encode(PixelBuffer(width: 4, height: 3))
        try await server.test { client in
            let added = try await client.admin(.post, "media?app_id=251007502&file_id=123456&name=dot.png", bytes: png)
            #expect(added.status == .created)
            #expect(added.json["file_id"] == .string("123456"))
            #expect(added.json["width"] == .int(4) && added.json["height"] == .int(3))
            #expect(added.json["size"] == .int(Int64(png.count)))
            #expect(added.json["md5"]?.lenientString?.count == 32)
            let media = try await server.server.runtime.store.file(id: "123456", tenant: server.tenant)
            #expect(media?.mediaName == "dot.png")
            try await client.admin(.post, "media?app_id=251007502&file_id=123456", bytes: png).expectError(.conflict, "Conflict")
            let generated = try await client.admin(.post, "media?app_id=251007502", bytes: png)
            #expect(generated.json["file_id"]?.lenientString?.allSatisfy(\.isNumber) == true)
            try await client.admin(.post, "media?app_id=251007502", bytes: Array("not an image".utf8))
                .expectError(.badRequest, "InvalidParameter")
            try await client.admin(.post, "media?app_id=251007502", bytes: [UInt8](repeating: 0, count: 10 * 1024 * 1024 + 1))
                .expectError(.contentTooLarge, "PayloadTooLarge")
        }
    }
}
