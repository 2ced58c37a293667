import EaselCore
import Testing

/// Tencent request signing: the vectors of tencent-api.md 2.3 plus verifier behaviour.
@Suite struct SigningTests {
    static let secretId = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
    static let secretKey = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
    static let timestamp = 1_767_225_600
    static let vodHost = "vod.intl.tencentcloudapi.com"
    static let zeros = String(repeating: "0", count: 64)
    static let bodyB = #"{"SubAppId": 251007502, "ModelName": "GG", "ModelVersion": "2.5", "Prompt": "generate a car", "OutputConfig": {"StorageMode": "Temporary", "AspectRatio": "16:9"}}"#

    let verifier = TC3Verifier(allowedServices: ["vod", "mps"])

    static func keys(_ id: String) -> String? { id == secretId ? secretKey : nil }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// A Python-SDK-style POST, signed with the client signer.
    static func signedPost(host: String = vodHost, body: String = bodyB, timestamp: Int = timestamp,
                           extra: [String: String] = [:], signedHeaders: [String] = TC3Signer.defaultSignedHeaders,
                           service: String = "vod") -> SignableRequest {
        var headers = ["Content-Type": "application/json", "Host": host, "X-TC-Action": "CreateAigcImageTask",
                       "X-TC-Version": "2018-07-17", "X-TC-Timestamp": String(timestamp)]
        headers.merge(extra) { $1 }
        var request = SignableRequest(method: "POST", headers: headers, body: Array(body.utf8))
        request.headers["authorization"] = TC3Signer.authorization(
            secretId: secretId, secretKey: secretKey, service: service, timestamp: timestamp, request: request,
            signedHeaders: signedHeaders)
        return request
    }

    // MARK: Vectors

    @Test(arguments: [
        (["content-type", "host"], "Gu5t9xGARNpq86cd98joQYCN3*******",
         "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031",
         "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"),
        (["content-type", "host", "x-tc-action"], "Gu5t9xGARNpq86cd98joQYCN3*******",
         "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84",
         "be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3"),
        (["content-type", "host"], "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
         "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031",
         "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"),
        (["content-type", "host", "x-tc-action"], "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
         "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84",
         "644be983de9a8a3f00db8eadaba61467c3b429e2215758ba897b738ca469fd26"),
    ])
    func vectorA(signedHeaders: [String], secretKey: String, hashedCanonical: String, signature: String) throws {
        let payload = #"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#
        let request = SignableRequest(
            method: "POST",
            headers: ["Content-Type": "application/json; charset=utf-8", "Host": "cvm.tencentcloudapi.com",
                      "X-TC-Action": "DescribeInstances", "X-TC-Timestamp": "1551113065"],
            body: Array(payload.utf8))
        let payloadHash = TC3Signer.payloadHash(for: request)
        #expect(payloadHash == "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064")
        let canonical = TC3Signer.canonicalRequest(for: request, signedHeaders: signedHeaders, payloadHash: payloadHash)
        #expect(canonical.contains("x-tc-action:describeinstances\n") == signedHeaders.contains("x-tc-action"))
        let toSign = TC3Signer.stringToSign(timestamp: 1_551_113_065, date: "2019-02-25", service: "cvm",
                                            canonicalRequest: canonical)
        #expect(toSign.hasSuffix("\n" + hashedCanonical))
        #expect(TC3Signer.signature(secretKey: secretKey, date: "2019-02-25", service: "cvm", stringToSign: toSign)
            == signature)
        let header = TC3Signer.authorization(secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******", secretKey: secretKey,
                                             service: "cvm", timestamp: 1_551_113_065, request: request,
                                             signedHeaders: signedHeaders)
        #expect(header.hasSuffix("Signature=\(signature)"))
    }

    @Test func vectorB() throws {
        let request = SignableRequest(
            method: "POST",
            headers: ["Content-Type": "application/json", "Host": Self.vodHost, "X-TC-Action": "CreateAigcImageTask",
                      "X-TC-RequestClient": "SDK_PYTHON_3.1.194", "X-TC-Timestamp": "1767225600",
                      "X-TC-Version": "2018-07-17", "X-TC-Language": "zh-CN"],
            body: Array(Self.bodyB.utf8))
        let payloadHash = TC3Signer.payloadHash(for: request)
        #expect(payloadHash == "b5cb787aa3f2cd5497cd5be1ea0d51e7dc94eae6328468a669bb731c6d5b9167")
        let canonical = TC3Signer.canonicalRequest(for: request, signedHeaders: ["content-type", "host"],
                                                   payloadHash: payloadHash)
        #expect(canonical == "POST\n/\n\ncontent-type:application/json\nhost:vod.intl.tencentcloudapi.com\n\n"
            + "content-type;host\nb5cb787aa3f2cd5497cd5be1ea0d51e7dc94eae6328468a669bb731c6d5b9167")
        #expect(TC3Signer.utcDate(of: Self.timestamp) == "2026-01-01")
        let toSign = TC3Signer.stringToSign(timestamp: Self.timestamp, date: "2026-01-01", service: "vod",
                                            canonicalRequest: canonical)
        #expect(toSign == "TC3-HMAC-SHA256\n1767225600\n2026-01-01/vod/tc3_request\n"
            + "d223fa3be13754a6e842903ab324cfbed60031924d5965ff7708cdef0918e5f3")
        let keys = TC3Signer.derivedKeys(secretKey: Self.secretKey, date: "2026-01-01", service: "vod")
        #expect(Self.hex(keys.secretDate) == "cddf017e185922e49e91c2293e3cec82220533139e8e0195db2ee0fccb30c7b8")
        #expect(Self.hex(keys.secretService) == "bc305877fc5e34e19957851c3bae00ba78fb83555245ee5977fd1e0abc991cd2")
        #expect(Self.hex(keys.secretSigning) == "4198519db386db0f4a7776c6eb508dd3651176a97ff32c9879143c3a468669bc")
        let signature = "1ad8808e2139d07c5c8a1ae2dfecdb2ee8bc62187580e0570e7d7b6bf91fe99c"
        #expect(TC3Signer.signature(signingKey: TC3Signer.signingKey(secretKey: Self.secretKey, date: "2026-01-01",
                                                                     service: "vod"),
                                    stringToSign: toSign) == signature)
        let header = TC3Signer.authorization(secretId: Self.secretId, secretKey: Self.secretKey, service: "vod",
                                             timestamp: Self.timestamp, request: request)
        #expect(header == "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2026-01-01/vod/tc3_request, "
            + "SignedHeaders=content-type;host, Signature=\(signature)")

        var received = request
        received.headers["authorization"] = header
        let verified = try verifier.verify(received, now: Self.timestamp + 12, secretKey: Self.keys)
        #expect(verified == TC3VerifiedRequest(secretId: Self.secretId, service: "vod", timestamp: Self.timestamp,
                                               signature: signature))
    }

    @Test func vectorC() throws {
        let query = "TaskId=251007502-AigcImage-0123456789abcdef0123456789abcdeft&SubAppId=251007502"
        let signature = "fa96c2ebad2a81bd5f1b2a69759434bb5928bd050d87677faad41a30f6de1907"
        let request = SignableRequest(
            method: "get", rawQuery: query,
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Host": Self.vodHost,
                      "X-TC-Action": "DescribeTaskDetail", "X-TC-Region": "ap-singapore", "X-TC-Token": "TMPTOKEN",
                      "X-TC-Language": "en-US", "X-TC-Timestamp": "1767225600", "X-TC-Version": "2018-07-17",
                      "Authorization": "TC3-HMAC-SHA256 Credential=\(Self.secretId)/2026-01-01/vod/tc3_request, "
                          + "SignedHeaders=content-type;host, Signature=\(signature)"])
        let canonical = TC3Signer.canonicalRequest(for: request, signedHeaders: ["content-type", "host"],
                                                   payloadHash: TC3Signer.payloadHash(for: request))
        #expect(canonical == "GET\n/\n\(query)\ncontent-type:application/x-www-form-urlencoded\n"
            + "host:vod.intl.tencentcloudapi.com\n\ncontent-type;host\n"
            + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let toSign = TC3Signer.stringToSign(timestamp: Self.timestamp, date: "2026-01-01", service: "vod",
                                            canonicalRequest: canonical)
        #expect(toSign.hasSuffix("\n15a66df15b5def58163f2ecd373f6fbdefc7c49884e199f8e1c5c80e9052c128"))
        let verified = try verifier.verify(request, now: Self.timestamp - 299, secretKey: Self.keys)
        #expect(verified.signature == signature)
        #expect(verified.token == "TMPTOKEN")
    }

    @Test func vectorD() {
        let params = ["Action": "DescribeTaskDetail", "Version": "2018-07-17", "Region": "ap-guangzhou",
                      "Timestamp": "1767225600", "Nonce": "11886", "SecretId": Self.secretId,
                      "SignatureMethod": "HmacSHA256",
                      "TaskId": "251007502-AigcImage-0123456789abcdef0123456789abcdeft", "SubAppId": "251007502"]
        let toSign = V1Signer.stringToSign(method: "POST", host: Self.vodHost, params: params)
        #expect(toSign == "POSTvod.intl.tencentcloudapi.com/?Action=DescribeTaskDetail&Nonce=11886"
            + "&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE&SignatureMethod=HmacSHA256"
            + "&SubAppId=251007502&TaskId=251007502-AigcImage-0123456789abcdef0123456789abcdeft"
            + "&Timestamp=1767225600&Version=2018-07-17")
        let signature = "j1IBI5w0+f57HBW5ApEe5u1/t25J6ZOOV1/VH/GpyMk="
        #expect(V1Signer.sign(stringToSign: toSign, secretKey: Self.secretKey, signatureMethod: .hmacSHA256)
            == signature)
        var signed = params
        signed["Signature"] = signature
        #expect(V1Signer.stringToSign(method: "post", host: Self.vodHost, params: signed) == toSign)
        let verified = try? V1Verifier().verify(method: "POST", host: Self.vodHost, params: signed,
                                                now: Self.timestamp, secretKey: Self.keys)
        #expect(verified?.signatureMethod == .hmacSHA256)
    }
}

// MARK: Verifier behaviour

extension SigningTests {
    func failure(_ request: SignableRequest, now: Int = timestamp) -> SignatureError? {
        do {
            _ = try verifier.verify(request, now: now, secretKey: Self.keys)
            return nil
        } catch {
            return error
        }
    }

    @Test func goodRequestPasses() throws {
        let request = Self.signedPost()
        #expect(TC3Verifier.secretId(of: request) == Self.secretId)
        #expect(try verifier.verify(request, now: Self.timestamp + 300, secretKey: Self.keys).service == "vod")
    }

    @Test func tamperedBodyFails() {
        var request = Self.signedPost()
        request.body = Array(Self.bodyB.replacingOccurrences(of: "car", with: "cat").utf8)
        #expect(failure(request)?.code == "AuthFailure.SignatureFailure")
    }

    @Test func staleTimestampExpires() {
        #expect(failure(Self.signedPost(), now: Self.timestamp + 301)?.code == "AuthFailure.SignatureExpire")
        #expect(failure(Self.signedPost(), now: Self.timestamp - 301)?.code == "AuthFailure.SignatureExpire")
    }

    @Test func unknownSecretId() throws {
        var request = Self.signedPost()
        let header = try #require(request.headers["authorization"])
        request.headers["authorization"] = header.replacingOccurrences(of: "EXAMPLE/", with: "OTHER/")
        #expect(failure(request) == .secretIdNotFound("AKIDz8krbsJ5yKBZQpn74WFkmLPx3OTHER"))
    }

    @Test(arguments: [
        "", "Bearer abc", "TC3-HMAC-SHA256",
        "TC3-HMAC-SHA1 Credential=a/2026-01-01/vod/tc3_request, SignedHeaders=host, Signature=\(zeros)",
        "TC3-HMAC-SHA256 Credential=a/2026-01-01/vod, SignedHeaders=host, Signature=\(zeros)",
        "TC3-HMAC-SHA256 Credential=a/2026-01-01/vod/tc3_request, Signature=\(zeros)",
        "TC3-HMAC-SHA256 Credential=a/2026-01-01/vod/tc3_request, SignedHeaders=host, Signature=xyz",
        "TC3-HMAC-SHA256 Credential=a/2026-01-01/vod/tc3_request, SignedHeaders=host, Signature=\(zeros), X=1",
    ])
    func garbledAuthorization(header: String) {
        var request = Self.signedPost()
        request.headers["authorization"] = header
        #expect(failure(request)?.code == "AuthFailure.InvalidAuthorization")
    }

    @Test func missingHeadersAreInvalidAuthorization() {
        var request = Self.signedPost()
        request.headers["x-tc-timestamp"] = nil
        #expect(failure(request)?.code == "AuthFailure.InvalidAuthorization")
        request = Self.signedPost()
        request.headers["authorization"] = nil
        #expect(failure(request)?.code == "AuthFailure.InvalidAuthorization")
    }

    @Test func tolerantParsing() throws {
        let auth = try TC3Authorization(parsing: "  TC3-HMAC-SHA256   Credential = SID/2026-01-01/vod/tc3_request ,"
            + "SignedHeaders=content-type;host,  Signature=\(String(repeating: "AB", count: 32))  ")
        #expect(auth.secretId == "SID" && auth.date == "2026-01-01" && auth.service == "vod")
        #expect(auth.signedHeaders == ["content-type", "host"])
        #expect(auth.signature == String(repeating: "ab", count: 32))
    }

    @Test func utcDates() {
        #expect(TC3Signer.utcDate(of: 0) == "1970-01-01")
        #expect(TC3Signer.utcDate(of: 1_551_113_065) == "2019-02-25")
        #expect(TC3Signer.utcDate(of: 951_868_799) == "2000-02-29")
        #expect(TC3Signer.utcDate(of: 1_767_225_599) == "2025-12-31")
    }

    @Test func scopeMustMatchDateAndService() {
        // Signed for one day later than X-TC-Timestamp's date.
        var request = Self.signedPost(timestamp: Self.timestamp + 86_400)
        request.headers["x-tc-timestamp"] = String(Self.timestamp)
        #expect(failure(request)?.code == "AuthFailure.SignatureFailure")
        #expect(failure(Self.signedPost(service: "cvm"))?.code == "AuthFailure.SignatureFailure")
        #expect(failure(Self.signedPost(service: "mps")) == nil)
    }

    @Test(arguments: ["127.0.0.1:8080", "127.0.0.1:8080/prefix", "http://127.0.0.1:8080"])
    func rawHostRoundTrip(host: String) {
        let request = Self.signedPost(host: host)
        #expect(failure(request) == nil)
        var moved = request
        moved.headers["host"] = "127.0.0.1:9090"
        #expect(failure(moved)?.code == "AuthFailure.SignatureFailure")
    }

    @Test func signsXTCActionLowercased() throws {
        let request = Self.signedPost(signedHeaders: ["content-type", "host", "x-tc-action"])
        #expect(try #require(request.headers["authorization"]).contains("SignedHeaders=content-type;host;x-tc-action,"))
        #expect(failure(request) == nil)
        var other = request
        other.headers["x-tc-action"] = "DescribeTaskDetail"
        #expect(failure(other)?.code == "AuthFailure.SignatureFailure")
    }

    @Test func unsignedPayloadMode() {
        let request = Self.signedPost(extra: ["X-TC-Content-SHA256": "UNSIGNED-PAYLOAD"])
        #expect(TC3Signer.payloadHash(for: request)
            == "438d4109ef0d676b8c2c7ed13cdfcb418e494d53b843d4634ce3b1085f07bb96")
        #expect(failure(request) == nil)
        // The body is deliberately outside the signature in this mode.
        var otherBody = request
        otherBody.body = Array("{}".utf8)
        #expect(failure(otherBody) == nil)
        // Dropping the mode header changes the payload hash, so the signature no longer matches.
        var plain = request
        plain.headers["x-tc-content-sha256"] = nil
        #expect(failure(plain)?.code == "AuthFailure.SignatureFailure")
    }

    @Test func v1HmacSHA1RoundTrip() throws {
        var params = ["Action": "DescribeTaskDetail", "Version": "2018-07-17", "Timestamp": String(Self.timestamp),
                      "Nonce": "42", "SecretId": Self.secretId, "TaskId": "t-1", "FileInfos.0.Url": "https://e.com/a b",
                      "Some_Key": "x"]
        #expect(V1Signer.stringToSign(method: "GET", host: "h", params: params).contains("&Some.Key=x&"))
        params["Signature"] = V1Signer.signature(method: "GET", host: "127.0.0.1:8080", params: params,
                                                 secretKey: Self.secretKey)
        let v1 = V1Verifier()
        let ok = try v1.verify(method: "GET", host: "127.0.0.1:8080", params: params, now: Self.timestamp,
                               secretKey: Self.keys)
        #expect(ok.signatureMethod == .hmacSHA1 && ok.secretId == Self.secretId)

        func code(_ params: [String: String], now: Int = Self.timestamp) -> String? {
            do {
                _ = try v1.verify(method: "GET", host: "127.0.0.1:8080", params: params, now: now,
                                  secretKey: Self.keys)
                return nil
            } catch { return error.code }
        }
        var tampered = params
        tampered["TaskId"] = "t-2"
        #expect(code(tampered) == "AuthFailure.SignatureFailure")
        #expect(code(params, now: Self.timestamp + 301) == "AuthFailure.SignatureExpire")
        var unknown = params
        unknown["SecretId"] = "AKIDnope"
        #expect(code(unknown) == "AuthFailure.SecretIdNotFound")
        var missing = params
        missing["Signature"] = nil
        #expect(code(missing) == "MissingParameter")
        var badMethod = params
        badMethod["SignatureMethod"] = "HmacMD5"
        #expect(code(badMethod) == "AuthFailure.SignatureFailure")
    }
}
