import Crypto
import Foundation

/// Volcengine OpenAPI request signing ("签名机制", the `HMAC-SHA256` V4 scheme used by Volcengine Visual / Jimeng).
/// Pure; no clock, no I/O.
///
/// It looks like AWS SigV4 but differs in every constant: algorithm `HMAC-SHA256`, headers `X-Date` and
/// `X-Content-Sha256`, scope `yyyymmdd/region/service/request`, and a signing key derived from the bare secret
/// (no `AWS4` prefix). The rules follow volc-sdk-python `volcengine/auth/SignerV4.py` (`sign`,
/// `hashed_canonical_request_v4`, `get_signing_secret_key_v4`, `build_auth_header_v4`) and `volcengine/util/Util.py`
/// (`norm_uri`, `norm_query`), and the worked example at https://www.volcengine.com/docs/6369/67270.
public enum VolcV4Signer {
    /// The algorithm name in the string to sign and the `Authorization` header.
    public static let algorithm = "HMAC-SHA256"
    /// Volcengine's string to sign, credential scope (`…/request`) and key derivation (seeded with the bare secret,
    /// unlike SigV4's `"AWS4" + secret`: SignerV4.py `get_signing_secret_key_v4`).
    public static let scheme = HMACV4Scheme(algorithm: algorithm, terminator: "request", secretPrefix: "")

    /// Lower-case hex SHA-256 of a body, the value of `X-Content-Sha256`.
    public static func payloadHash(_ body: [UInt8]) -> String { SigningBytes.sha256Hex(body) }

    /// The headers to add so that the request carries a valid signature: `Host` (only when `headers` has none),
    /// `X-Date`, `X-Content-Sha256`, `X-Security-Token` (temporary credentials only) and `Authorization`.
    ///
    /// Of `headers`, `Content-Type`, `Content-Md5`, `Host` and every `X-…` header are signed, as the SDK does; the
    /// request must be sent with exactly these values, this URL and this body.
    public static func sign(method: String, url: URL, headers: [(String, String)], body: [UInt8],
                            credentials: SigV4Credentials, region: String, service: String,
                            date: Date) -> [(String, String)] {
        signature(method: method, url: url, headers: headers, body: body, credentials: credentials, region: region,
                  service: service, date: date).headersToAdd.map { ($0.name, $0.value) }
    }

    /// Like ``sign(method:url:headers:body:credentials:region:service:date:)``, returning every step.
    public static func signature(method: String, url: URL, headers: [(String, String)], body: [UInt8],
                                 credentials: SigV4Credentials, region: String, service: String,
                                 date: Date) -> VolcV4Signature {
        let xDate = xDate(date)
        let bodyHash = payloadHash(body)
        let replaced: Set<String> = ["authorization", "x-date", "x-content-sha256", "x-security-token"]
        var signed = headers.filter { !replaced.contains($0.0.lowercased()) }
        var added: [SigV4Header] = []
        if !signed.contains(where: { $0.0.lowercased() == "host" }), let host = hostHeader(of: url) {
            signed.append(("Host", host))
            added.append(SigV4Header("Host", host))
        }
        var extra = [("X-Date", xDate), ("X-Content-Sha256", bodyHash)]
        if let token = credentials.sessionToken { extra.append(("X-Security-Token", token)) }
        for (name, value) in extra {
            signed.append((name, value))
            added.append(SigV4Header(name, value))
        }
        let (canonical, signedNames) = canonicalRequest(method: method, canonicalURI: canonicalURI(url),
                                                        canonicalQuery: canonicalQuery(SigV4Signer.queryItems(of: url)),
                                                        headers: signed, payloadHash: bodyHash)
        let signing = scheme.sign(canonicalRequest: canonical, signedHeaders: signedNames, date: xDate, region: region,
                                  service: service, credentials: credentials)
        added.append(SigV4Header("Authorization", signing.authorization))
        return VolcV4Signature(canonicalRequest: canonical, stringToSign: signing.stringToSign, signedHeaders: signedNames,
                               signature: signing.signature, authorization: signing.authorization, headersToAdd: added)
    }

    // MARK: Building blocks (public so a verifier can recompute a received request's signature)

    /// Whether the SDK signs a header of this name: `Content-Type`, `Content-Md5`, `Host` and `X-…`
    /// (SignerV4.py, `hashed_canonical_request_v4`).
    public static func isSignable(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return ["content-type", "content-md5", "host"].contains(lowered) || lowered.hasPrefix("x-")
    }

    /// The canonical request `METHOD\nURI\nQUERY\n<name:value\n…>\n<signed names>\n<payload hash>` over the
    /// signable headers of `headers` (names lower-cased and sorted, values trimmed; a `Host` of `:80`/`:443` loses
    /// the port, as the SDK does), and the `;`-joined signed header names.
    public static func canonicalRequest(method: String, canonicalURI: String, canonicalQuery: String,
                                        headers: [(String, String)],
                                        payloadHash: String) -> (canonicalRequest: String, signedHeaders: String) {
        var merged: [String: String] = [:]
        for (name, value) in headers where isSignable(name) {
            let lowered = name.lowercased()
            var trimmed = value.trimmingWhitespace()
            if lowered == "host", trimmed.hasSuffix(":80") || trimmed.hasSuffix(":443") {
                trimmed = String(trimmed[..<(trimmed.lastIndex(of: ":") ?? trimmed.endIndex)])
            }
            merged[lowered] = trimmed
        }
        let names = merged.keys.sorted()
        let block = names.map { "\($0):\(merged[$0, default: ""])\n" }.joined()
        let signedNames = names.joined(separator: ";")
        let canonical = [method.uppercased(), canonicalURI, canonicalQuery, block, signedNames, payloadHash]
            .joined(separator: "\n")
        return (canonical, signedNames)
    }

    /// The canonical query: names and values RFC 3986-encoded (only `A-Z a-z 0-9 - _ . ~` stay), sorted by name;
    /// repeated names keep their original order (Util.py `norm_query`). Also the query string the request should carry.
    public static func canonicalQuery(_ items: [(String, String)]) -> String {
        let encoded = items.enumerated().map { (offset: $0.offset, name: SigV4Signer.uriEncode($0.element.0),
                                                value: SigV4Signer.uriEncode($0.element.1)) }
        let sorted = encoded.sorted { $0.name == $1.name ? $0.offset < $1.offset : $0.name < $1.name }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// The canonical URI: the path percent-encoded with `/` kept, `/` when empty (Util.py `norm_uri`).
    public static func canonicalURI(_ url: URL) -> String {
        let path = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? ""
        return canonicalURI(path: path)
    }

    /// The canonical URI of a raw (possibly percent-encoded) request path.
    public static func canonicalURI(path: String) -> String {
        guard !path.isEmpty else { return "/" }
        return SigV4Signer.uriEncode(path.removingPercentEncoding ?? path, encodeSlash: false)
    }

    /// Lower-case hex `HMAC-SHA256(signingKey, stringToSign)`.
    public static func signature(signingKey: SymmetricKey, stringToSign: String) -> String {
        SigV4Signer.signature(signingKey: signingKey, stringToSign: stringToSign)
    }

    /// Lower-case hex of a signing key, for comparing with published intermediate values.
    public static func hex(_ key: SymmetricKey) -> String {
        key.withUnsafeBytes { SigningBytes.hex($0) }
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC, the `X-Date` value.
    public static func xDate(_ date: Date) -> String { SigV4Signer.amzDate(date) }

    /// Whether two signatures are equal, compared in constant time.
    public static func signaturesMatch(_ lhs: String, _ rhs: String) -> Bool {
        SigningBytes.constantTimeEquals(lhs, rhs)
    }

    /// The `Host` header for `url`: host, plus `:port` unless it is the scheme's default.
    public static func hostHeader(of url: URL) -> String? { SigV4Signer.hostHeader(of: url) }
}

/// Every intermediate of one Volcengine V4 signature: the same parts as a SigV4 one (`HMAC-SHA256` and `X-Date`
/// where AWS has `AWS4-HMAC-SHA256` and `x-amz-date`).
public typealias VolcV4Signature = SigV4Signature
