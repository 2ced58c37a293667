import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import EaselApp
@testable import EaselHTTP

/// Each path belongs to one dialect, and every answer under a dialect's prefix is in that dialect's envelope.
@Suite struct DialectRoutingTests {
    private func json(_ buffer: ByteBuffer) throws -> JSONValue { try JSONValue.parse(buffer.readableBytesView) }

    @Test func collidingFlattenedIndicesAnswerAnErrorInsteadOfCrashing() async throws {
        let server = try await TestServer()
        try await server.test { client in
            for body in ["a.0=x&a.%2B1=y", "a.0=x&a.01=y", "a.1=x&a.-0=y", "A=1&A.B=2", String(repeating: "a.", count: 5_000) + "b=1"] {
                try await client.execute(uri: "/anything", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                         body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "application/json")
                    let code = try json(response.body)["Response"]?["Error"]?["Code"]?.lenientString
                    #expect(code == "MissingParameter" || code == "InvalidParameter", "\(body.prefix(40)) → \(code ?? "none")")
                }
            }
        }
    }

    @Test func restCreateReadsJSONWhateverItsContentType() async throws {
        let server = try await TestServer()
        try await server.test { client in
            let body = #"{"model_name": "GG", "model_version": "2.5", "prompt": "a cat", "file_infos": [{"type": "", "url": "", "file_id": ""}]}"#
            let headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .authorization: "Bearer \(server.credentials.apiKey)"]
            let taskId = try await client.execute(uri: "/tencent-vod/v1/aigc-image", method: .post, headers: headers,
                                                  body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                return try #require(try json(response.body)["Response"]?["TaskId"]?.lenientString)
            }
            let query = try await client.execute(uri: "/tencent-vod/v1/query/\(taskId)", method: .get,
                                                 headers: [.authorization: "Bearer \(server.credentials.apiKey)"]) { response in
                #expect(response.status == .ok)
                return try #require(try json(response.body)["Response"])
            }
            for key in VODTaskView.restResponseLevelFields {
                #expect(query[key] != nil, "Response.\(key)")
                #expect(query[key] == query["AigcImageTask"]?[key], "Response.\(key) mirrors AigcImageTask.\(key)")
            }
            #expect(query["Status"] != nil)
            #expect(query["AigcImageTask"]?["Input"]?["FileInfos"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func unknownRoutesAnswerInTheirDialectsEnvelope() async throws {
        let server = try await TestServer()
        try await server.test { client in
            let bearer: HTTPFields = [.authorization: "Bearer \(server.credentials.apiKey)"]
            for (method, uri) in [(HTTPRequest.Method.get, "/tencent-vod/v1/query/"), (.delete, "/tencent-vod/v1/aigc-image"),
                                  (.get, "/tencent-vod/v1/nothing"), (.post, "/easel/v1/nothing")] {
                try await client.execute(uri: uri, method: method, headers: bearer) { response in
                    #expect(response.status == .notFound, "\(method) \(uri)")
                    #expect(response.headers[.contentType] == "application/json")
                    let body = try json(response.body)
                    #expect(body["Response"]?["Error"]?["Code"]?.lenientString == "InvalidAction", "\(method) \(uri)")
                    #expect(body["Response"]?["RequestId"]?.lenientString?.isEmpty == false)
                }
            }
            for (method, uri) in [(HTTPRequest.Method.post, "/v1/images/edits-unknown"), (.get, "/v1/images/generations")] {
                try await client.execute(uri: uri, method: method, headers: bearer) { response in
                    #expect(response.status == .notFound, "\(method) \(uri)")
                    let error = try json(response.body)["error"]
                    #expect(error?["type"]?.lenientString == "invalid_request_error")
                    #expect(error?["message"]?.lenientString?.contains(uri) == true)
                }
            }
        }
    }

    @Test func otherDialectsPathsAreNeverTakenOverByTheTencentGateway() async throws {
        let server = try await TestServer()
        try await server.test { client in
            // Tencent markers on a REST path do not make it a Tencent call.
            let headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-TC-Action")!: "DescribeTasks"]
            try await client.execute(uri: "/tencent-vod/v1/aigc-image?Action=DescribeTasks", method: .post, headers: headers,
                                     body: ByteBuffer(string: "{}")) { response in
                #expect(response.status == .unauthorized)
                let code = try json(response.body)["Response"]?["Error"]?["Code"]?.lenientString
                #expect(code?.hasPrefix("AuthFailure") == true)
            }
            try await client.execute(uri: "/healthz?Action=DescribeTasks", method: .get) { response in
                #expect(response.status == .ok)
                let status = try json(response.body)["status"]?.lenientString
                #expect(status == "ok")
            }
        }
    }
}
