import EaselCore
import Foundation
import Testing

/// Volcengine V4 signing against the published worked example and a vector computed by the SDK's algorithm.
@Suite struct VolcV4SignerTests {
    // The demo key pair published in Volcengine's "签名过程Demo" (https://www.volcengine.com/docs/6369/67270); it
    // has no permissions.
    static let docCredentials = SigV4Credentials(
        accessKeyId: "AKLTYWViMTVmZGYzM2E0NDI5Mzk2MDZjNjFmMjc2MjRjMzg",
        secretAccessKey: "WkRZeE1EQmxPVGhsWWpWak5HVmtNbUUxTXpZeU9UVXlOMlE1TmpZeVlqTQ==")

    /// The official worked example: `GET iam ListUsers` at 20240619T071306Z, region cn-beijing, signing only
    /// `host;x-date`. Every published intermediate is compared: canonical request, its hash, the string to sign,
    /// the derived signing key, the signature and the Authorization header.
    @Test func officialWorkedExample() throws {
        let xDate = VolcV4Signer.xDate(Date(timeIntervalSince1970: 1_718_781_186))
        #expect(xDate == "20240619T071306Z")
        let url = try #require(URL(string: "https://iam.volcengineapi.com/?Action=ListUsers&Version=2018-01-01&Limit=10&Offset=0"))
        let emptyHash = VolcV4Signer.payloadHash([])
        #expect(emptyHash == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let (canonical, signed) = VolcV4Signer.canonicalRequest(
            method: "GET", canonicalURI: VolcV4Signer.canonicalURI(url),
            canonicalQuery: VolcV4Signer.canonicalQuery([("Action", "ListUsers"), ("Version", "2018-01-01"),
                                                        ("Limit", "10"), ("Offset", "0")]),
            headers: [("Host", "iam.volcengineapi.com"), ("X-Date", xDate)], payloadHash: emptyHash)
        #expect(canonical == "GET\n/\nAction=ListUsers&Limit=10&Offset=0&Version=2018-01-01\nhost:iam.volcengineapi.com\n"
            + "x-date:20240619T071306Z\n\nhost;x-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(signed == "host;x-date")
        let scope = VolcV4Signer.scheme.credentialScope(date: xDate, region: "cn-beijing", service: "iam")
        #expect(scope == "20240619/cn-beijing/iam/request")
        let toSign = VolcV4Signer.scheme.stringToSign(canonicalRequest: canonical, date: xDate, scope: scope)
        #expect(toSign == "HMAC-SHA256\n20240619T071306Z\n20240619/cn-beijing/iam/request\n"
            + "5ed5bca3905e1fcbf789abb56a17c2d819674a3bcfa468ae476bd1ea80d135cb")
        let key = VolcV4Signer.scheme.signingKey(secretAccessKey: Self.docCredentials.secretAccessKey, shortDate: "20240619",
                                          region: "cn-beijing", service: "iam")
        #expect(VolcV4Signer.hex(key) == "abee62e533a58934c49954459a3c3237d2fccea517c9a7c8a2651d8ea7779826")
        #expect(VolcV4Signer.signature(signingKey: key, stringToSign: toSign)
            == "e31c4558bcfe08a286001f59cedbf0791ffd0b2362f10e55ee2627467bcdde93")
    }

    /// A Jimeng submit signed end to end. Expected values were computed with a Python transcription of
    /// volc-sdk-python `volcengine/auth/SignerV4.py` (`sign`: X-Date, algorithm `HMAC-SHA256`, scope
    /// `date/region/service/request`; `hashed_canonical_request_v4`: `X-Content-Sha256` = sha256(body), signed headers
    /// = Content-Type/Content-Md5/Host/X-*, lower-cased and sorted; `get_signing_secret_key_v4`: HMAC chain keyed with
    /// the bare SK) and `volcengine/util/Util.py` (`norm_query` with `quote(safe='-_.~')`), on the doc key pair.
    @Test func jimengSubmitMatchesSDKAlgorithm() throws {
        let body = Array(#"{"force_single":true,"prompt":"一只红狐狸 at dusk","req_key":"jimeng_t2i_v40"}"#.utf8)
        let url = try #require(URL(string: "https://visual.volcengineapi.com/?Action=CVSync2AsyncSubmitTask&Version=2022-08-31"))
        let result = VolcV4Signer.signature(method: "POST", url: url, headers: [("Content-Type", "application/json")],
                                            body: body, credentials: Self.docCredentials, region: "cn-north-1",
                                            service: "cv", date: Date(timeIntervalSince1970: 1_759_133_730))
        let bodyHash = "ddc76e9545c07d38048753ff2a62bedada8a4882fd305104f73a1013d199af00"
        #expect(result.canonicalRequest == "POST\n/\nAction=CVSync2AsyncSubmitTask&Version=2022-08-31\n"
            + "content-type:application/json\nhost:visual.volcengineapi.com\nx-content-sha256:\(bodyHash)\n"
            + "x-date:20250929T081530Z\n\ncontent-type;host;x-content-sha256;x-date\n\(bodyHash)")
        #expect(result.stringToSign == "HMAC-SHA256\n20250929T081530Z\n20250929/cn-north-1/cv/request\n"
            + "796e9c917e2eb10e9e5c1ba18274a0d336ab40ec8aa1dd2ba2042a5a9037f14e")
        #expect(result.authorization == "HMAC-SHA256 Credential=AKLTYWViMTVmZGYzM2E0NDI5Mzk2MDZjNjFmMjc2MjRjMzg/"
            + "20250929/cn-north-1/cv/request, SignedHeaders=content-type;host;x-content-sha256;x-date, "
            + "Signature=7e77c95b41040c6a8119428c910f248bef620846a97d93a2dfc5e3996366cfdb")
        let added = result.headersToAdd.map { "\($0.name): \($0.value)" }
        #expect(added.prefix(3) == ["Host: visual.volcengineapi.com", "X-Date: 20250929T081530Z",
                                    "X-Content-Sha256: \(bodyHash)"])
        #expect(added.last == "Authorization: \(result.authorization)")
    }

    /// Volcengine is not SigV4: the same request signed both ways differs, and the Volc key has no `AWS4` prefix.
    @Test func differsFromSigV4() throws {
        let key = VolcV4Signer.scheme.signingKey(secretAccessKey: "secret", shortDate: "20250101", region: "cn-north-1",
                                          service: "cv")
        let aws = SigV4Signer.scheme.signingKey(secretAccessKey: "secret", shortDate: "20250101", region: "cn-north-1",
                                         service: "cv")
        #expect(VolcV4Signer.hex(key) != VolcV4Signer.hex(aws))
        #expect(VolcV4Signer.scheme.credentialScope(date: "20250101T000000Z", region: "cn-north-1", service: "cv")
            == "20250101/cn-north-1/cv/request")
    }

    /// Query names are sorted, repeated names keep their order, and encoding is RFC 3986 (space → %20).
    @Test func canonicalQueryAndHeaders() {
        #expect(VolcV4Signer.canonicalQuery([("b", "2"), ("a", "x y/z"), ("b", "1"), ("Action", "A~b_c.d-e")])
            == "Action=A~b_c.d-e&a=x%20y%2Fz&b=2&b=1")
        let (canonical, signed) = VolcV4Signer.canonicalRequest(
            method: "post", canonicalURI: "/", canonicalQuery: "",
            headers: [("Host", "example.com:443"), ("Accept", "*/*"), ("X-Custom", "  v  "),
                      ("Content-Type", "application/json")],
            payloadHash: "h")
        #expect(signed == "content-type;host;x-custom")
        #expect(canonical == "POST\n/\n\ncontent-type:application/json\nhost:example.com\nx-custom:v\n\n"
            + "content-type;host;x-custom\nh")
    }

    /// Temporary credentials add a signed `X-Security-Token`; the description never shows secrets.
    @Test func sessionTokenIsSignedAndRedacted() throws {
        let credentials = SigV4Credentials(accessKeyId: "AK", secretAccessKey: "SK-SECRET", sessionToken: "TOKEN")
        let url = try #require(URL(string: "http://127.0.0.1:8081/?Action=X&Version=1"))
        let result = VolcV4Signer.signature(method: "POST", url: url, headers: [], body: [], credentials: credentials,
                                            region: "cn-north-1", service: "cv", date: Date(timeIntervalSince1970: 0))
        #expect(result.signedHeaders == "host;x-content-sha256;x-date;x-security-token")
        #expect(result.headersToAdd.first == SigV4Header("Host", "127.0.0.1:8081"))
        #expect(!result.authorization.contains("SK-SECRET"))
        #expect(!"\(credentials)".contains("SK-SECRET"))
    }
}
