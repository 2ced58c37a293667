import Crypto
import Foundation

/// Signs webhook deliveries: `Easel-Webhook-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with the
/// timestamp in `Easel-Webhook-Timestamp`, so a receiver can check origin, integrity and freshness.
public enum WebhookSignature {
    /// The header names.
    public static let idHeader = "Easel-Webhook-Id"
    /// Unix seconds of the attempt.
    public static let timestampHeader = "Easel-Webhook-Timestamp"
    /// `v1=<hex>`.
    public static let signatureHeader = "Easel-Webhook-Signature"

    /// The signature header value for `body` sent at `timestamp`.
    public static func sign(body: [UInt8], timestamp: Int, secret: [UInt8]) -> String {
        var message = Array("\(timestamp).".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret))
        return "v1=" + HexText.of(mac)
    }

    /// Whether `signature` is valid for `body` and `timestamp` within `tolerance` seconds of `now`.
    public static func verify(signature: String, body: [UInt8], timestamp: Int, secret: [UInt8], now: Int,
                              tolerance: Int = 300) -> Bool {
        guard abs(now - timestamp) <= tolerance else { return false }
        let expected = Array(sign(body: body, timestamp: timestamp, secret: secret).utf8)
        let given = Array(signature.utf8)
        return expected.count == given.count && zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
