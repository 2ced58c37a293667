import AsyncHTTPClient
import EaselBlobs
import EaselCore
import Foundation
import Testing

/// The S3 client and the S3 blob store against moto's S3 server (path-style, as moto on 127.0.0.1 requires).
///
/// What moto 5.x checks: header signatures only once IAM authentication is switched on (`POST /moto-api/reset-auth`
/// with `0`, the server-mode form of `INITIAL_NO_AUTH_ACTION_COUNT`), and then only for access keys of IAM users it
/// knows — ``wrongSecretIsRejected()`` sets that up. It never checks `X-Amz-Signature` on presigned URLs (a tampered
/// signature is still served), so the presigned algorithm is pinned by AWS's published vector in SigV4Tests; here
/// the presigned URL must work without credentials and the same URL stripped of its signature must be refused.
@Suite(.enabled(if: MotoServer.executable != nil,
                 "moto_server not found: set MOTO_SERVER or install moto[server] into .venv"))
struct S3ClientTests {
    static let credentials = SigV4Credentials(accessKeyId: "AKIDEASELTEST", secretAccessKey: "easel-test-secret")

    static func client(_ moto: MotoServer, _ http: HTTPClient,
                       credentials: SigV4Credentials = credentials) -> S3Client {
        S3Client(configuration: S3Configuration(endpoint: moto.endpoint, region: "us-east-1", credentials: credentials),
                 httpClient: http)
    }

    /// Bytes covering every byte value, so no text-encoding step could pass unnoticed.
    static let payload: [UInt8] = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }

    @Test func putGetDeleteRoundTrip() async throws {
        try await MotoServer.with { moto, http in
            let s3 = Self.client(moto, http)
            try await s3.createBucket("easel-images")
            try await s3.createBucket("easel-images")  // owning it already is fine
            let key = "renders/2026/a b+c(1).png"
            let etag = try await s3.putObject(bucket: "easel-images", key: key, bytes: Self.payload,
                                              contentType: "image/png")
            #expect(etag?.count == 32)
            #expect(try await s3.getObject(bucket: "easel-images", key: key) == Self.payload)
            var small = s3.configuration
            small.maxObjectBytes = 1_000
            let limited = S3Client(configuration: small, httpClient: http)
            let tooLarge = await #expect(throws: S3Error.self) {
                _ = try await limited.getObject(bucket: "easel-images", key: key)
            }
            #expect(tooLarge?.kind == .responseTooLarge)
            try await s3.deleteObject(bucket: "easel-images", key: key)
            let missing = await #expect(throws: S3Error.self) {
                _ = try await s3.getObject(bucket: "easel-images", key: key)
            }
            #expect(missing?.status == 404 && missing?.code == "NoSuchKey" && missing?.isNoSuchKey == true)
            try await s3.deleteObject(bucket: "easel-images", key: key)  // deleting twice succeeds
            let noBucket = await #expect(throws: S3Error.self) {
                _ = try await s3.getObject(bucket: "no-such-bucket", key: key)
            }
            #expect(noBucket?.code == "NoSuchBucket" && noBucket?.isNoSuchKey == false)
        }
    }

    @Test func presignedGetURLWorksWithoutCredentials() async throws {
        try await MotoServer.with { moto, http in
            let s3 = Self.client(moto, http)
            try await s3.createBucket("easel-share")
            try await s3.putObject(bucket: "easel-share", key: "out/image 1.png", bytes: Self.payload,
                                   contentType: "image/png")
            let url = try s3.presignedGetURL(bucket: "easel-share", key: "out/image 1.png", expires: 300)
            #expect(url.hasPrefix("\(moto.endpoint.absoluteString)/easel-share/out/image%201.png?X-Amz-Algorithm="))
            let fetched = try await MotoServer.fetch(url, http: http)
            #expect(fetched.status == 200)
            #expect(fetched.body == Self.payload)
            // Without its authentication parameters the same URL is an anonymous request for a private object.
            let plain = try s3.objectURL(bucket: "easel-share", key: "out/image 1.png").absoluteString
            #expect(url.hasPrefix(plain + "?"))
            let refused = try await MotoServer.fetch(plain, http: http)
            #expect(refused.status == 403)
        }
    }

    @Test func wrongSecretIsRejected() async throws {
        try await MotoServer.with { moto, http in
            let user = try await Self.enableSignatureChecks(moto, http)
            let s3 = Self.client(moto, http, credentials: user)
            // With verification on, moto recomputes each signature with botocore: ours must match it.
            try await s3.createBucket("easel-verified")
            try await s3.putObject(bucket: "easel-verified", key: "a/b.png", bytes: Self.payload,
                                   contentType: "image/png")
            #expect(try await s3.getObject(bucket: "easel-verified", key: "a/b.png") == Self.payload)

            let forged = SigV4Credentials(accessKeyId: user.accessKeyId, secretAccessKey: "not-the-secret")
            let bad = Self.client(moto, http, credentials: forged)
            let putError = await #expect(throws: S3Error.self) {
                try await bad.putObject(bucket: "easel-verified", key: "a/c.png", bytes: [1, 2, 3])
            }
            #expect(putError?.status == 403 && putError?.code == "SignatureDoesNotMatch")
            let getError = await #expect(throws: S3Error.self) {
                _ = try await bad.getObject(bucket: "easel-verified", key: "a/b.png")
            }
            #expect(getError?.code == "SignatureDoesNotMatch")
            let text = "\(String(describing: getError)) \(String(describing: putError))"
            #expect(!text.contains(user.secretAccessKey) && !text.contains("not-the-secret"))
            try await s3.deleteObject(bucket: "easel-verified", key: "a/b.png")
        }
    }

    @Test func blobStoreRoundTrip() async throws {
        try await MotoServer.with { moto, http in
            let s3 = Self.client(moto, http)
            try await s3.createBucket("easel-blobs")
            let store = S3BlobStore(client: s3, bucket: "easel-blobs", prefix: "/easel/outputs/")
            let key = "2026/11/251007502-AigcImageTask-1.png"
            try await store.put(Self.payload, key: key, contentType: "image/png")
            #expect(try await store.get(key: key) == Self.payload)
            #expect(try await s3.getObject(bucket: "easel-blobs", key: "easel/outputs/\(key)") == Self.payload)
            try await store.put([7, 7, 7], key: key, contentType: "image/png")
            #expect(try await store.get(key: key) == [7, 7, 7])
            try await store.delete(key: key)
            #expect(try await store.get(key: key) == nil)
            try await store.delete(key: key)
            #expect(try await store.get(key: "never/written.png") == nil)
            await #expect(throws: BlobError.invalidKey("../escape.png")) {
                try await store.put([1], key: "../escape.png", contentType: "image/png")
            }
            let elsewhere = S3BlobStore(client: s3, bucket: "missing-bucket")
            await #expect(throws: BlobError.self) { _ = try await elsewhere.get(key: "x.png") }
        }
    }

    // MARK: moto IAM set-up

    /// Creates an IAM user allowed `s3:*`, then switches moto's authentication on; returns the user's key.
    static func enableSignatureChecks(_ moto: MotoServer, _ http: HTTPClient) async throws -> SigV4Credentials {
        _ = try await iam(moto, http, ["Action": "CreateUser", "UserName": "easel"])
        let created = try await iam(moto, http, ["Action": "CreateAccessKey", "UserName": "easel"])
        _ = try await iam(moto, http, [
            "Action": "PutUserPolicy", "UserName": "easel", "PolicyName": "s3-all",
            "PolicyDocument":
                #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        ])
        let id = try #require(element("AccessKeyId", created))
        let secret = try #require(element("SecretAccessKey", created))
        let reset = try await MotoServer.fetch("\(moto.endpoint.absoluteString)/moto-api/reset-auth", http: http,
                                               method: .POST, body: Array("0".utf8))
        try #require(reset.status == 200)
        return SigV4Credentials(accessKeyId: id, secretAccessKey: secret)
    }

    /// One IAM query-API call. moto routes a request by the service in its credential scope, so it is signed.
    static func iam(_ moto: MotoServer, _ http: HTTPClient, _ params: [String: String]) async throws -> String {
        let form = (params.map { ($0.key, $0.value) } + [("Version", "2010-05-08")])
            .map { "\(SigV4Signer.uriEncode($0.0))=\(SigV4Signer.uriEncode($0.1))" }.joined(separator: "&")
        let body = Array(form.utf8)
        let url = try #require(URL(string: "\(moto.endpoint.absoluteString)/"))
        var headers = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
        headers += SigV4Signer.sign(method: "POST", url: url, headers: headers,
                                    payloadHash: SigV4Signer.payloadHash(body), credentials: credentials,
                                    region: "us-east-1", service: "iam", date: Date())
        let answer = try await MotoServer.fetch(url.absoluteString, http: http, method: .POST, headers: headers,
                                                body: body)
        let text = String(decoding: answer.body, as: UTF8.self)
        try #require(answer.status == 200, "IAM \(params["Action"] ?? "") failed: \(text)")
        return text
    }

    static func element(_ name: String, _ xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"), let close = xml.range(of: "</\(name)>") else { return nil }
        return String(xml[open.upperBound..<close.lowerBound])
    }
}

/// URL shapes and error parsing, no server needed.
@Suite struct S3ConfigurationTests {
    static let credentials = SigV4Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret")

    @Test func addressingStyles() throws {
        let local = S3Configuration(endpoint: try #require(URL(string: "http://127.0.0.1:5000/")), region: "us-east-1",
                                    credentials: Self.credentials)
        #expect(try local.requestURL(bucket: "bkt", key: "a/b c.png").absoluteString
            == "http://127.0.0.1:5000/bkt/a/b%20c.png")
        #expect(try local.requestURL(bucket: "bkt", key: nil).absoluteString == "http://127.0.0.1:5000/bkt")
        let cos = try #require(S3Configuration.tencentCOS(region: "ap-guangzhou", credentials: Self.credentials))
        #expect(try cos.requestURL(bucket: "images-1250000000", key: "x/y.png").absoluteString
            == "https://images-1250000000.cos.ap-guangzhou.myqcloud.com/x/y.png")
        let aws = try #require(S3Configuration.aws(region: "eu-west-1", credentials: Self.credentials))
        #expect(try aws.objectURL(bucket: "easel", key: "k.png").absoluteString
            == "https://easel.s3.eu-west-1.amazonaws.com/k.png")
        var cdn = aws
        cdn.publicBaseURL = URL(string: "https://cdn.example.com/images/")
        #expect(try cdn.objectURL(bucket: "easel", key: "a b/k.png").absoluteString
            == "https://cdn.example.com/images/a%20b/k.png")
        let prefixed = S3Configuration(endpoint: try #require(URL(string: "https://gw.example.com/s3/")),
                                       region: "us-east-1", credentials: Self.credentials)
        #expect(try prefixed.requestURL(bucket: "bkt", key: "k").absoluteString == "https://gw.example.com/s3/bkt/k")
        #expect(throws: S3Error.self) { try aws.requestURL(bucket: "Bad_Name", key: "k") }
        #expect(throws: S3Error.self) { try local.requestURL(bucket: "a/b", key: "k") }
    }

    @Test func errorBodyIsParsed() {
        let body = Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match \
            &amp; so on</Message><AWSAccessKeyId>AKIDEXAMPLE</AWSAccessKeyId><RequestId>4442587FB7D0A2F9</RequestId>\
            </Error>
            """.utf8)
        let error = S3Error.service(operation: "PutObject", status: 403, body: body)
        #expect(error.code == "SignatureDoesNotMatch" && error.status == 403 && error.requestID == "4442587FB7D0A2F9")
        #expect(error.message == "The request signature we calculated does not match & so on")
        #expect(error.description == "S3 PutObject failed (service, HTTP 403, SignatureDoesNotMatch): The request "
            + "signature we calculated does not match & so on [request 4442587FB7D0A2F9]")
        #expect(!S3Error.service(operation: "GetObject", status: 404, body: []).description.isEmpty)
        #expect(S3Error.service(operation: "GetObject", status: 404, body: []).isNoSuchKey)
    }
}
