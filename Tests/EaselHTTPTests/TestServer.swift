import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
@testable import EaselApp
@testable import EaselHTTP
import EaselServices

/// An Easel server on a fresh temporary data directory, with one app's credentials, for router-level tests.
struct TestServer {
    let server: EaselServer
    let credentials: IssuedCredential
    let tenant = Tenant(appId: 251_007_502, subAppId: 251_007_502)

    init(configure: (inout EaselConfiguration) -> Void = { _ in }) async throws {
        var configuration = EaselConfiguration()
        configuration.dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("easel-http-\(UUID().uuidString)").path
        configure(&configuration)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let application = try buildApplication(configuration: configuration, logger: logger)
        server = try application.makeServer()
        credentials = try await application.runtime.createCredential(tenant: tenant)
    }

    /// Runs `body` against the router while the dispatcher works in the background.
    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: server.router())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.dispatcher.run() }
            try await app.test(.router) { client in try await body(client) }
            group.cancelAll()
        }
    }

    /// TC3 headers for a POST JSON call, signed like the Python SDK does.
    func tc3Headers(action: String, version: String = "2018-07-17", body: String, secretKey: String? = nil,
                    timestamp: Int = Int(Date().timeIntervalSince1970), host: String = "localhost") -> HTTPFields {
        let service = version == "2019-06-12" ? "mps" : "vod"
        let signable = SignableRequest(method: "POST", headers: ["content-type": "application/json", "host": host],
                                       body: Array(body.utf8))
        let authorization = TC3Signer.authorization(secretId: credentials.secretId, secretKey: secretKey ?? credentials.secretKey,
                                                    service: service, timestamp: timestamp, request: signable,
                                                    signedHeaders: ["content-type", "host"])
        return [
            .contentType: "application/json", .authorization: authorization,
            HTTPField.Name("Host")!: host,
            HTTPField.Name("X-TC-Action")!: action, HTTPField.Name("X-TC-Version")!: version,
            HTTPField.Name("X-TC-Timestamp")!: String(timestamp),
        ]
    }

    /// Calls a Tencent action and returns the `Response` object.
    func call(_ client: any TestClientProtocol, _ action: String, _ body: String, version: String = "2018-07-17",
              headers: HTTPFields? = nil) async throws -> [String: JSONValue] {
        let fields = headers ?? tc3Headers(action: action, version: version, body: body)
        return try await client.execute(uri: "/", method: .post, headers: fields, body: ByteBuffer(string: body)) { response in
            guard response.status == .ok, response.headers[.contentType] == "application/json" else {
                throw TestFailure("Tencent calls must answer 200 application/json, got \(response.status) \(response.headers)")
            }
            guard let members = try JSONValue.parse(response.body.readableBytesView)["Response"]?.objectValue,
                  members["RequestId"]?.lenientString?.isEmpty == false
            else { throw TestFailure("no Response/RequestId") }
            return members
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// `Response.Error.Code`, if the call failed.
    var errorCode: String? { self["Error"]?["Code"]?.lenientString }
}
