import Crypto
import EaselMacros
import Foundation

/// Signs and checks the URLs under which Easel serves output files: `path?expires=T&sig=HEX` for temporary
/// files (refused after T) and `path?sig=HEX` for permanent ones.
@MemberwiseInit
public struct URLSigner: Sendable {
    private let keyBytes: [UInt8]

    /// The query string (without `?`) that authorises `path` until `expires` (unix seconds), or forever when nil.
    public func query(for path: String, expires: Int64?) -> String {
        let signature = sign(path: path, expires: expires)
        if let expires { return "expires=\(expires)&sig=\(signature)" }
        return "sig=\(signature)"
    }

    /// Whether `signature` authorises `path` at `now`.
    public func verify(path: String, expires: Int64?, signature: String, now: Int64) -> Bool {
        if let expires, expires < now { return false }
        let expected = Array(sign(path: path, expires: expires).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private func sign(path: String, expires: Int64?) -> String {
        let message = "\(path)\n\(expires.map(String.init) ?? "never")"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: keyBytes))
        return HexText.of(mac)
    }
}
