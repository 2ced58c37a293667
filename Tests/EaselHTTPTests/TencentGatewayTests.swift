import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import EaselApp
@testable import EaselHTTP

/// The Tencent dialects through the router: envelope, signatures, and the VOD/MPS task lifecycle.
@Suite struct TencentGatewayTests {
    let createBody = #"{"SubAppId": 251007502, "ModelName": "GG", "ModelVersion": "2.5", "Prompt": "generate a car", "OutputConfig": {"StorageMode": "Temporary", "AspectRatio": "16:9"}, "SessionContext": "ctx", "TasksPriority": "10"}"#

    @Test func createThenDescribeUntilFinish() async throws {
        let server = try await TestServer()
        try await server.test { client in
            let created = try await server.call(client, "CreateAigcImageTask", createBody)
            let taskId = try #require(created["TaskId"]?.lenientString)
            #expect(taskId.wholeMatch(of: /251007502-AigcImageTask-[0-9a-f]{32}t/) != nil)
            var detail: [String: JSONValue] = [:]
            for _ in 0..<100 {
                detail = try await server.call(client, "DescribeTaskDetail", #"{"TaskId": "\#(taskId)", "SubAppId": 251007502}"#)
                if detail["Status"]?.lenientString == "FINISH" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(detail["TaskType"]?.lenientString == "AigcImageTask")
            let task = try #require(detail["AigcImageTask"])
            #expect(task["ErrCode"] == .int(0) && task["Progress"] == .int(100))
            #expect(task["SessionContext"]?.lenientString == "ctx")
            let file = try #require(task["Output"]?["FileInfos"]?.arrayValue?.first)
            let width = try #require(file["MetaData"]?["Width"]?.lenientInt)
            let height = try #require(file["MetaData"]?["Height"]?.lenientInt)
            #expect(abs(Double(width) / Double(height) - 16.0 / 9.0) < 0.02)
            let url = try #require(file["FileUrl"]?.lenientString.flatMap(URL.init(string:)))
            let size = try #require(file["MetaData"]?["Size"]?.lenientInt)
            try await client.execute(uri: "\(url.path)?\(url.query ?? "")", method: .get) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "image/png")
                #expect(Int64(response.body.readableBytes) == size)
            }
            try await client.execute(uri: "\(url.path)?expires=1&sig=00", method: .get) { response in
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test func authenticationFailuresUseTencentCodes() async throws {
        let server = try await TestServer()
        try await server.test { client in
            let wrongKey = server.tc3Headers(action: "CreateAigcImageTask", body: createBody, secretKey: "nope")
            let code1 = try await server.call(client, "CreateAigcImageTask", createBody, headers: wrongKey).errorCode
            #expect(code1 == "AuthFailure.SignatureFailure")
            let old = server.tc3Headers(action: "CreateAigcImageTask", body: createBody, timestamp: Int(Date().timeIntervalSince1970) - 1000)
            let code2 = try await server.call(client, "CreateAigcImageTask", createBody, headers: old).errorCode
            #expect(code2 == "AuthFailure.SignatureExpire")
            var unsigned = server.tc3Headers(action: "CreateAigcImageTask", body: createBody)
            unsigned[.authorization] = "TC3-HMAC-SHA256 garbage"
            let code3 = try await server.call(client, "CreateAigcImageTask", createBody, headers: unsigned).errorCode
            #expect(code3 == "AuthFailure.InvalidAuthorization")
            var tampered = server.tc3Headers(action: "CreateAigcImageTask", body: createBody)
            tampered[HTTPField.Name("X-TC-Timestamp")!] = String(Int(Date().timeIntervalSince1970) - 1)
            let code4 = try await server.call(client, "CreateAigcImageTask", createBody, headers: tampered).errorCode
            #expect(code4 == "AuthFailure.SignatureFailure")
        }
    }

    @Test func repeatedSignedCreateReturnsTheFirstTaskAndRepeatedReadsAreAnswered() async throws {
        let server = try await TestServer()
        try await server.test { client in
            let headers = server.tc3Headers(action: "CreateAigcImageTask", body: createBody)
            let first = try await server.call(client, "CreateAigcImageTask", createBody, headers: headers)
            #expect(first.errorCode == nil)
            let firstId = try #require(first["TaskId"]?.lenientString)
            // The same bytes again (an SDK retry within the same second): the first task, not a second one.
            let repeated = try await server.call(client, "CreateAigcImageTask", createBody, headers: headers)
            #expect(repeated.errorCode == nil)
            #expect(repeated["TaskId"]?.lenientString == firstId)
            let listed = try await server.call(client, "DescribeTasks", #"{"SubAppId": 251007502}"#)
            #expect(listed["TaskSet"]?.arrayValue?.count == 1)
            // With a SessionId, the retry gets the contract's dedup error, never a signature error.
            let withSession = #"{"SubAppId": 251007502, "ModelName": "GG", "ModelVersion": "2.5", "Prompt": "a cat", "SessionId": "s-1"}"#
            let sessionHeaders = server.tc3Headers(action: "CreateAigcImageTask", body: withSession)
            #expect(try await server.call(client, "CreateAigcImageTask", withSession, headers: sessionHeaders).errorCode == nil)
            let again = try await server.call(client, "CreateAigcImageTask", withSession, headers: sessionHeaders)
            #expect(again.errorCode == "InvalidParameterValue.SessionId")
            let describe = #"{"TaskId": "\#(first["TaskId"]?.lenientString ?? "")"}"#
            let readHeaders = server.tc3Headers(action: "DescribeTaskDetail", body: describe)
            for _ in 0..<2 {
                #expect(try await server.call(client, "DescribeTaskDetail", describe, headers: readHeaders).errorCode == nil)
            }
        }
    }

    @Test func routingErrors() async throws {
        let server = try await TestServer()
        try await server.test { client in
            let code5 = try await server.call(client, "NoSuchThing", "{}").errorCode
            #expect(code5 == "InvalidAction")
            let wrongVersion = server.tc3Headers(action: "CreateAigcImageTask", version: "2020-01-01", body: "{}")
            let code6 = try await server.call(client, "CreateAigcImageTask", "{}", headers: wrongVersion).errorCode
            #expect(code6 == "NoSuchVersion")
            let code7 = try await server.call(client, "DescribeTaskDetail", #"{"TaskId": "251007502-AigcImageTask-00000000000000000000000000000000t"}"#).errorCode
            #expect(code7 == "ResourceNotFound")
            let code8 = try await server.call(client, "DescribeTaskDetail", "{}").errorCode
            #expect(code8 == "MissingParameter")
            let otherSubApp = #"{"SubAppId": 1, "ModelName": "GG", "ModelVersion": "2.5", "Prompt": "x"}"#
            let code9 = try await server.call(client, "CreateAigcImageTask", otherSubApp).errorCode
            #expect(code9 == "InvalidParameterValue.SubAppId")
            let notJSON = "{nope"
            let code10 = try await server.call(client, "CreateAigcImageTask", notJSON).errorCode
            #expect(code10 == "InvalidParameter")
        }
    }

    @Test func validationErrorsNameTheField() async throws {
        let server = try await TestServer()
        try await server.test { client in
            let tooMany = #"{"SubAppId": 251007502, "ModelName": "GG", "ModelVersion": "2.5", "Prompt": "x", "FileInfos": [{"Url": "https://e.com/1.png"}, {"Url": "https://e.com/2.png"}, {"Url": "https://e.com/3.png"}, {"Url": "https://e.com/4.png"}]}"#
            let response = try await server.call(client, "CreateAigcImageTask", tooMany)
            #expect(response.errorCode?.hasPrefix("InvalidParameterValue") == true)
            #expect(response["Error"]?["Message"]?.lenientString?.contains("FileInfos") == true)
            let noPrompt = #"{"SubAppId": 251007502, "ModelName": "GG", "ModelVersion": "2.5"}"#
            let code11 = try await server.call(client, "CreateAigcImageTask", noPrompt).errorCode
            #expect(code11 == "MissingParameter")
            let badRatio = #"{"SubAppId": 251007502, "ModelName": "GG", "ModelVersion": "2.5", "Prompt": "x", "OutputConfig": {"AspectRatio": "7:3"}}"#
            let ratio = try await server.call(client, "CreateAigcImageTask", badRatio)
            #expect(ratio["Error"]?["Message"]?.lenientString?.contains("AspectRatio") == true)
            let context = #"{"SubAppId": 251007502, "ModelName": "GG", "ModelVersion": "2.5", "Prompt": "x", "SessionContext": "\#(String(repeating: "c", count: 1001))"}"#
            let code12 = try await server.call(client, "CreateAigcImageTask", context).errorCode
            #expect(code12 == "InvalidParameterValue.SessionContextTooLong")
        }
    }

    @Test func abortWaitingTaskAndListTasks() async throws {
        let server = try await TestServer()
        // The app's queue is held, so the second task is still waiting when it is aborted, however slow the machine.
        try await server.server.runtime.store.setConcurrency(0, for: server.tenant)
        try await server.test { client in
            let first = try await server.call(client, "CreateAigcImageTask", createBody)
            let body = createBody.replacingOccurrences(of: "generate a car", with: "another car")
            let second = try await server.call(client, "CreateAigcImageTask", body)
            let secondId = try #require(second["TaskId"]?.lenientString)
            let abort = #"{"TaskId": "\#(secondId)", "OperationType": "Abort", "SubAppId": 251007502}"#
            #expect(try await server.call(client, "ManageTask", abort).errorCode == nil)
            let detail = try await server.call(client, "DescribeTaskDetail", #"{"TaskId": "\#(secondId)"}"#)
            #expect(detail["Status"]?.lenientString == "ABORTED")
            let listed = try await server.call(client, "DescribeTasks", #"{"SubAppId": 251007502, "Limit": 10}"#)
            let ids = listed["TaskSet"]?.arrayValue?.compactMap { $0["TaskId"]?.lenientString } ?? []
            #expect(Set(ids) == Set([secondId, first["TaskId"]?.lenientString ?? ""]))
        }
    }

    @Test func mpsCreateAndDescribe() async throws {
        let server = try await TestServer()
        try await server.test { client in
            let body = #"{"Prompt": "draw a cat", "EnhancePrompt": true, "ExtraParameters": {"AspectRatio": "1:1", "LogoAdd": 0}, "Operator": "admin"}"#
            let created = try await server.call(client, "CreateAigcImageTask", body, version: "2019-06-12")
            let taskId = try #require(created["TaskId"]?.lenientString)
            #expect(taskId.wholeMatch(of: /251007502-AigcImage-[0-9a-f]{32}/) != nil)
            var status = ""
            var described: [String: JSONValue] = [:]
            for _ in 0..<100 where status != "DONE" {
                described = try await server.call(client, "DescribeAigcImageTask", #"{"TaskId": "\#(taskId)"}"#, version: "2019-06-12")
                status = described["Status"]?.lenientString ?? ""
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(status == "DONE" && described["Message"]?.lenientString == "ok")
            #expect(described["ImageUrls"]?.arrayValue?.count == 1)
        }
    }

    @Test func v1FormSignatureIsAccepted() async throws {
        let server = try await TestServer()
        try await server.test { client in
            var params = [
                "Action": "CreateAigcImageTask", "Version": "2018-07-17", "Timestamp": String(Int(Date().timeIntervalSince1970)),
                "Nonce": "4242", "SecretId": server.credentials.secretId, "SignatureMethod": "HmacSHA256",
                "SubAppId": "251007502", "ModelName": "GG", "ModelVersion": "2.5", "Prompt": "a cat",
                "OutputConfig.AspectRatio": "1:1",
            ]
            params["Signature"] = V1Signer.signature(method: "POST", host: "localhost", params: params,
                                                     secretKey: server.credentials.secretKey)
            let form = params.map { key, value in
                "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)"
            }.joined(separator: "&")
            try await client.execute(uri: "/", method: .post,
                                     headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name("Host")!: "localhost"],
                                     body: ByteBuffer(string: form)) { response in
                let body = try JSONValue.parse(response.body.readableBytesView)
                #expect(body["Response"]?["TaskId"]?.lenientString?.contains("AigcImageTask") == true)
            }
        }
    }
}
