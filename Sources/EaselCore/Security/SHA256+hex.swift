import Crypto
import Foundation

extension SHA256 {
    /// Lower-case hex SHA-256 of a UTF-8 string.
    public static func hex(of text: String) -> String {
        SigningBytes.sha256Hex(text)
    }
}
