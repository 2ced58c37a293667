import EaselMacros

/// A parsed `Authorization: TC3-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header value.
@MemberwiseInit
public struct TC3Authorization: Sendable, Equatable {
    /// The only algorithm token TC3 accepts.
    public static let algorithm = "TC3-HMAC-SHA256"

    /// The key id from the credential scope.
    public let secretId: String
    /// The credential-scope date, `YYYY-MM-DD`.
    public let date: String
    /// The credential-scope service (`vod`, `mps`, …).
    public let service: String
    /// The signed header names exactly as the client listed them (Tencent clients send them lower-case and
    /// sorted); they are reproduced verbatim in the canonical request.
    public let signedHeaders: [String]
    /// The lower-case hex signature.
    public let signature: String

    /// `date/service/tc3_request`.
    public var credentialScope: String { "\(date)/\(service)/tc3_request" }

    /// The header value this authorization serialises to, in the layout the Tencent SDKs send.
    public var headerValue: String {
        "\(Self.algorithm) Credential=\(secretId)/\(credentialScope), "
            + "SignedHeaders=\(signedHeaders.joined(separator: ";")), Signature=\(signature)"
    }

    /// Parses an `Authorization` header value, tolerating extra spaces around tokens, commas and `=`.
    ///
    /// - Throws: ``SignatureError/invalidAuthorization(_:)`` when the algorithm is not TC3-HMAC-SHA256, a part is
    ///   missing or repeated, the credential is not `SecretId/date/service/tc3_request`, or the signature is not
    ///   64 hex digits.
    public init(parsing header: String) throws(SignatureError) {
        let trimmed = Self.trim(header)
        guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
            throw .invalidAuthorization("expected `TC3-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.")
        }
        guard trimmed[..<space] == Self.algorithm else {
            throw .invalidAuthorization("the signing algorithm must be TC3-HMAC-SHA256.")
        }
        var fields: [String: String] = [:]
        for part in trimmed[space...].split(separator: ",", omittingEmptySubsequences: false) {
            guard let equals = part.firstIndex(of: "=") else {
                throw .invalidAuthorization("`\(Self.trim(part))` is not a key=value pair.")
            }
            let key = Self.trim(part[..<equals])
            guard ["Credential", "SignedHeaders", "Signature"].contains(key) else {
                throw .invalidAuthorization("unexpected field `\(key)`.")
            }
            guard fields[key] == nil else { throw .invalidAuthorization("`\(key)` appears more than once.") }
            fields[key] = Self.trim(part[part.index(after: equals)...])
        }
        guard let credential = fields["Credential"], !credential.isEmpty else {
            throw .invalidAuthorization("`Credential` is missing.")
        }
        guard let headerList = fields["SignedHeaders"], !headerList.isEmpty else {
            throw .invalidAuthorization("`SignedHeaders` is missing.")
        }
        guard let signature = fields["Signature"], !signature.isEmpty else {
            throw .invalidAuthorization("`Signature` is missing.")
        }

        let scope = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scope.count == 4, scope[3] == "tc3_request", !scope[0].isEmpty, !scope[1].isEmpty, !scope[2].isEmpty
        else {
            throw .invalidAuthorization("`Credential` must be `SecretId/YYYY-MM-DD/service/tc3_request`.")
        }
        let names = headerList.split(separator: ";", omittingEmptySubsequences: false).map { Self.trim($0) }
        guard !names.contains(where: \.isEmpty) else {
            throw .invalidAuthorization("`SignedHeaders` contains an empty header name.")
        }
        let isHex = signature.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
        }
        guard signature.utf8.count == 64, isHex else {
            throw .invalidAuthorization("`Signature` must be 64 hexadecimal digits.")
        }
        self.init(secretId: scope[0], date: scope[1], service: scope[2],
                  signedHeaders: names, signature: signature.lowercased())
    }

    /// Extracts just the SecretId from an `Authorization` header value, so a caller can fetch the secret key
    /// before full verification. Returns nil when the header does not parse.
    public static func secretId(in header: String) -> String? {
        try? TC3Authorization(parsing: header).secretId
    }

    static func trim<Text: StringProtocol>(_ text: Text) -> String where Text.UTF8View: BidirectionalCollection {
        // Header values are ASCII: trimmed by byte, without breaking graphemes (3 % of a signed create under perf).
        // Other text keeps Character semantics, where a space before a combining mark is not a space.
        let bytes = text.utf8
        if bytes.allSatisfy({ $0 < 0x80 }) {
            let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
            guard let first = bytes.firstIndex(where: { !isSpace($0) }),
                  let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
            return String(text[first...last])
        }
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
              let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(text[first...last])
    }
}
