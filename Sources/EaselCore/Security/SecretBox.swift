import Crypto
import EaselMacros
import Foundation

/// Seals small secrets (TC3 secret keys) at rest with AES-256-GCM under the server's master key.
@MemberwiseInit
public struct SecretBox: Sendable {
    // SymmetricKey is not Sendable in swift-crypto 3, so the bytes are kept and the key made on use.
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// Encrypts `plaintext`; the result carries nonce, ciphertext and tag.
    public func seal(_ plaintext: String) throws -> [UInt8] {
        let sealed = try AES.GCM.seal(Data(plaintext.utf8), using: key)
        guard let combined = sealed.combined else { throw CryptoKitError.incorrectParameterSize }
        return Array(combined)
    }

    /// Decrypts what `seal` produced.
    ///
    /// - Throws: ``SecretBoxError`` if it was tampered with or sealed under another master key.
    public func open(_ sealed: [UInt8]) throws(SecretBoxError) -> String {
        do {
            let box = try AES.GCM.SealedBox(combined: Data(sealed))
            let plaintext = try AES.GCM.open(box, using: key)
            return String(decoding: plaintext, as: UTF8.self)
        } catch {
            throw SecretBoxError()
        }
    }

    /// A key derived from the master key for another purpose (URL signing, …), so one secret serves all.
    public func derivedKey(purpose: String) -> [UInt8] {
        let derived = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data(purpose.utf8), outputByteCount: 32)
        return derived.withUnsafeBytes { Array($0) }
    }
}
