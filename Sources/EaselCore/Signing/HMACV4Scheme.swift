import Crypto

/// The constants that tell one HMAC-SHA256 "V4" signature scheme from another: AWS SigV4 and Volcengine's V4 sign
/// the same way (a string to sign of algorithm, date, scope and hashed canonical request; a key derived date →
/// region → service → terminator) but name the algorithm, the scope's terminator and the key's seed differently.
public struct HMACV4Scheme: Sendable {
    /// The algorithm name in the string to sign and the `Authorization` header (`AWS4-HMAC-SHA256`).
    public let algorithm: String
    /// The credential scope's last part (`aws4_request`).
    public let terminator: String
    /// What goes before the secret to seed the key derivation (`AWS4`; empty for Volcengine).
    public let secretPrefix: String

    /// `<algorithm>\n<date>\n<scope>\n<hex SHA-256 of the canonical request>`; `date` is the request's
    /// `yyyymmddThhmmssZ` stamp.
    public func stringToSign(canonicalRequest: String, date: String, scope: String) -> String {
        [algorithm, date, scope, SigningBytes.sha256Hex(canonicalRequest)].joined(separator: "\n")
    }

    /// The credential scope `yyyymmdd/region/service/<terminator>` of the `yyyymmddThhmmssZ` stamp `date`.
    public func credentialScope(date: String, region: String, service: String) -> String {
        "\(date.prefix(8))/\(region)/\(service)/\(terminator)"
    }

    /// The signing key `HMAC(HMAC(HMAC(HMAC(<secretPrefix> + secret, yyyymmdd), region), service), <terminator>)`.
    public func signingKey(secretAccessKey: String, shortDate: String, region: String, service: String) -> SymmetricKey {
        SigningBytes.derivedKey(secret: Array("\(secretPrefix)\(secretAccessKey)".utf8), shortDate, region, service, terminator)
    }

    /// Signs `canonicalRequest` (whose signed header names are `signedHeaders`) made at the `yyyymmddThhmmssZ` stamp
    /// `date`: the string to sign, the lower-case hex signature and the `Authorization` header value carrying it.
    public func sign(canonicalRequest: String, signedHeaders: String, date: String, region: String, service: String,
                     credentials: SigV4Credentials) -> (stringToSign: String, signature: String, authorization: String) {
        let scope = credentialScope(date: date, region: region, service: service)
        let toSign = stringToSign(canonicalRequest: canonicalRequest, date: date, scope: scope)
        let key = signingKey(secretAccessKey: credentials.secretAccessKey, shortDate: String(date.prefix(8)), region: region,
                             service: service)
        let signature = SigningBytes.signatureHex(toSign, key: key)
        let authorization = "\(algorithm) Credential=\(credentials.accessKeyId)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return (toSign, signature, authorization)
    }
}
