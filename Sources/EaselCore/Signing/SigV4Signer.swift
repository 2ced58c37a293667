import Crypto
import Foundation

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`), with S3's rules: every path segment is URI-encoded exactly once
/// and the path is not normalized (S3 object keys may contain `//` or `.`). Pure; no clock, no I/O.
///
/// See docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html and, for S3,
/// docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html and sigv4-query-string-auth.html.
public enum SigV4Signer {
    /// The algorithm name in the string to sign, the `Authorization` header and `X-Amz-Algorithm`.
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// SigV4's string to sign, credential scope (`…/aws4_request`) and key derivation (seeded `"AWS4" + secret`).
    public static let scheme = HMACV4Scheme(algorithm: algorithm, terminator: "aws4_request", secretPrefix: "AWS4")
    /// The payload hash of a request whose body is not signed (presigned URLs, streamed uploads).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// The hex SHA-256 of the empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The longest validity S3 accepts for a presigned URL: seven days.
    public static let maxPresignSeconds = 604_800

    /// Lower-case hex SHA-256 of a body, the value of `x-amz-content-sha256`.
    public static func payloadHash(_ body: [UInt8]) -> String { SigningBytes.sha256Hex(body) }

    /// The headers to add to a request so that it carries a valid SigV4 `Authorization` header.
    ///
    /// `headers` are all signed (besides any `Authorization` or `x-amz-date` in them, which are replaced); an S3
    /// caller includes `x-amz-content-sha256` with the same value as `payloadHash`. The request must be sent
    /// with exactly these header values and this URL, and with `host` equal to the returned or supplied one.
    public static func sign(method: String, url: URL, headers: [(String, String)], payloadHash: String,
                            credentials: SigV4Credentials, region: String, service: String,
                            date: Date) -> [(String, String)] {
        signature(method: method, url: url, headers: headers, payloadHash: payloadHash, credentials: credentials,
                  region: region, service: service, date: date).headersToAdd.map { ($0.name, $0.value) }
    }

    /// Like ``sign(method:url:headers:payloadHash:credentials:region:service:date:)``, returning every step.
    public static func signature(method: String, url: URL, headers: [(String, String)], payloadHash: String,
                                 credentials: SigV4Credentials, region: String, service: String,
                                 date: Date) -> SigV4Signature {
        let amzDate = amzDate(date)
        var signed = headers.filter { !["authorization", "x-amz-date"].contains($0.0.lowercased()) }
        var added: [SigV4Header] = []
        if !signed.contains(where: { $0.0.lowercased() == "host" }), let host = hostHeader(of: url) {
            signed.append(("host", host))
            added.append(SigV4Header("host", host))
        }
        signed.append(("x-amz-date", amzDate))
        added.append(SigV4Header("x-amz-date", amzDate))
        let hasToken = signed.contains { $0.0.lowercased() == "x-amz-security-token" }
        if let token = credentials.sessionToken, !hasToken {
            signed.append(("x-amz-security-token", token))
            added.append(SigV4Header("x-amz-security-token", token))
        }
        let (headerBlock, signedNames) = canonicalHeaders(signed)
        let canonical = [method.uppercased(), canonicalURI(url), canonicalQuery(queryItems(of: url)),
                         headerBlock, signedNames, payloadHash].joined(separator: "\n")
        let signing = scheme.sign(canonicalRequest: canonical, signedHeaders: signedNames, date: amzDate, region: region,
                                  service: service, credentials: credentials)
        added.append(SigV4Header("Authorization", signing.authorization))
        return SigV4Signature(canonicalRequest: canonical, stringToSign: signing.stringToSign, signedHeaders: signedNames,
                              signature: signing.signature, authorization: signing.authorization, headersToAdd: added)
    }

    /// A presigned URL: `url` plus `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
    /// `X-Amz-SignedHeaders` (`host` plus the names of `headers`), `X-Amz-Security-Token` for temporary
    /// credentials and finally `X-Amz-Signature`. Anyone holding it can make this one request until it expires.
    ///
    /// `expires` is clamped to 1…``maxPresignSeconds``.
    public static func presign(method: String = "GET", url: URL, expires: Int, credentials: SigV4Credentials,
                               region: String, service: String = "s3", date: Date,
                               headers: [(String, String)] = []) -> String {
        presignature(method: method, url: url, expires: expires, credentials: credentials, region: region,
                     service: service, date: date, headers: headers).url
    }

    /// Like ``presign(method:url:expires:credentials:region:service:date:headers:)``, returning every step.
    public static func presignature(method: String = "GET", url: URL, expires: Int, credentials: SigV4Credentials,
                                    region: String, service: String = "s3", date: Date,
                                    headers: [(String, String)] = []) -> SigV4Presignature {
        let amzDate = amzDate(date)
        let scope = scheme.credentialScope(date: amzDate, region: region, service: service)
        var signed = headers.filter { $0.0.lowercased() != "host" }
        signed.append(("host", hostHeader(of: url) ?? ""))
        let (headerBlock, signedNames) = canonicalHeaders(signed)
        var query = queryItems(of: url)
        query.append(("X-Amz-Algorithm", algorithm))
        query.append(("X-Amz-Credential", "\(credentials.accessKeyId)/\(scope)"))
        query.append(("X-Amz-Date", amzDate))
        query.append(("X-Amz-Expires", String(min(max(expires, 1), maxPresignSeconds))))
        query.append(("X-Amz-SignedHeaders", signedNames))
        if let token = credentials.sessionToken { query.append(("X-Amz-Security-Token", token)) }
        let canonicalQueryString = canonicalQuery(query)
        let canonical = [method.uppercased(), canonicalURI(url), canonicalQueryString, headerBlock, signedNames,
                         unsignedPayload].joined(separator: "\n")
        let toSign = scheme.stringToSign(canonicalRequest: canonical, date: amzDate, scope: scope)
        let key = scheme.signingKey(secretAccessKey: credentials.secretAccessKey, shortDate: String(amzDate.prefix(8)),
                             region: region, service: service)
        let hex = signature(signingKey: key, stringToSign: toSign)
        let base = url.absoluteString.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let presigned = "\(base.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0])?"
            + "\(canonicalQueryString)&X-Amz-Signature=\(hex)"
        return SigV4Presignature(canonicalRequest: canonical, stringToSign: toSign, signature: hex, url: presigned)
    }

    // MARK: Building blocks

    /// RFC 3986 percent-encoding as AWS specifies it: `A-Z a-z 0-9 - . _ ~` stay, every other UTF-8 byte becomes
    /// `%XX` (upper-case hex); `/` stays only when `encodeSlash` is false.
    public static func uriEncode(_ text: String, encodeSlash: Bool = true) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            if isUnreserved(byte) || (byte == UInt8(ascii: "/") && !encodeSlash) {
                out.append(byte)
            } else {
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The canonical URI: each segment of the URL's path, percent-decoded, then ``uriEncode(_:encodeSlash:)``-d
    /// once; `/` for an empty path. No dot-segment or `//` normalization (S3 keys keep them).
    public static func canonicalURI(_ url: URL) -> String {
        let raw = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? ""
        guard !raw.isEmpty else { return "/" }
        return raw.split(separator: "/", omittingEmptySubsequences: false)
            .map { uriEncode(String($0).removingPercentEncoding ?? String($0)) }
            .joined(separator: "/")
    }

    /// The canonical query string: names and values encoded with ``uriEncode(_:encodeSlash:)``, sorted by name
    /// and then by value, `name=value` joined by `&` (a parameter without value becomes `name=`).
    public static func canonicalQuery(_ items: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = items.map { (uriEncode($0.0), uriEncode($0.1)) }
        let sorted = encoded.sorted { lhs, rhs in lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// The canonical header block (each `name:value\n`, names lower-cased and sorted, values trimmed with inner
    /// runs of spaces collapsed, repeated names joined with `,` in order) and the signed header list.
    public static func canonicalHeaders(_ headers: [(String, String)]) -> (block: String, signedHeaders: String) {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            merged[name.lowercased(), default: []].append(collapseSpaces(value))
        }
        let names = merged.keys.sorted()
        let block = names.map { "\($0):\(merged[$0, default: []].joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }


    /// Lower-case hex `HMAC-SHA256(signingKey, stringToSign)`.
    public static func signature(signingKey: SymmetricKey, stringToSign: String) -> String {
        SigningBytes.signatureHex(stringToSign, key: signingKey)
    }

    /// The ISO 8601 basic UTC timestamp `yyyyMMdd'T'HHmmss'Z'` of `date` (fractions of a second dropped).
    public static func amzDate(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let day = UTCDay.of(unixSeconds: seconds).replacingOccurrences(of: "-", with: "")
        let inDay = ((seconds % 86_400) + 86_400) % 86_400
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(day)T\(two(inDay / 3_600))\(two(inDay / 60 % 60))\(two(inDay % 60))Z"
    }

    /// The `host` header a client sends for `url`: the host, plus `:port` when the port is not the scheme's default.
    public static func hostHeader(of url: URL) -> String? {
        guard let host = url.host, !host.isEmpty else { return nil }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        guard let port = url.port else { return bracketed }
        let scheme = url.scheme?.lowercased()
        if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) { return bracketed }
        return "\(bracketed):\(port)"
    }

    /// The URL's query parameters, percent-decoded (a `+` stays a literal plus, as S3 reads it).
    static func queryItems(of url: URL) -> [(String, String)] {
        guard let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery,
              !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : ""
            return (name.removingPercentEncoding ?? name, value.removingPercentEncoding ?? value)
        }
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func collapseSpaces(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingWhitespace()
    }
}
