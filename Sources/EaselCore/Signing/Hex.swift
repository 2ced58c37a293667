import Crypto

/// Lower-case hexadecimal text of bytes (digests, signatures, random ids), by table: `String(format:)` per byte
/// showed up at 6 % of a create's CPU.
public enum HexText {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes`.
    public static func of<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Small byte helpers shared by the TC3 and v1 signers.
enum SigningBytes {
    /// Lower-case hex of `bytes`.
    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        HexText.of(bytes)
    }

    /// Lower-case hex SHA-256 of `bytes`.
    static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// Lower-case hex SHA-256 of the UTF-8 encoding of `text`.
    static func sha256Hex(_ text: String) -> String {
        sha256Hex(Array(text.utf8))
    }

    /// HMAC-SHA256 of the UTF-8 encoding of `message` under `key`.
    static func hmacSHA256(key: [UInt8], _ message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key)))
    }

    /// Lower-case hex HMAC-SHA256 of the UTF-8 encoding of `stringToSign` under `key`: the signature of the TC3 and
    /// V4 schemes.
    static func signatureHex(_ stringToSign: String, key: SymmetricKey) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    /// The key of a V4-style derivation chain: `HMAC(…HMAC(HMAC(secret, parts[0]), parts[1])…, parts[n])`.
    static func derivedKey(secret: [UInt8], _ parts: String...) -> SymmetricKey {
        SymmetricKey(data: parts.reduce(secret) { key, part in hmacSHA256(key: key, part) })
    }

    /// Whether `a` and `b` are equal, in time that depends only on their lengths (so a mismatch position
    /// cannot be learned by timing).
    static func constantTimeEquals(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        let lhs = Array(a.utf8)
        let rhs = Array(b.utf8)
        guard lhs.count == rhs.count else { return false }
        var diff: UInt8 = 0
        for index in lhs.indices { diff |= lhs[index] ^ rhs[index] }
        return diff == 0
    }

    /// Whether `text` is non-empty and made only of ASCII digits.
    static func isDigits(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
