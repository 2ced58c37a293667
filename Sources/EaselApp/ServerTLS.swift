import Foundation
import HummingbirdTLS
import NIOSSL

/// HTTPS for the main port from PEM files (`server.tls_certificate`, `server.tls_key`). Everything that can be wrong
/// with them (a missing file, no certificate in it, an unreadable or encrypted key, a key of another certificate,
/// an expired certificate) stops the server at start with one line naming the setting.
enum ServerTLS {
    static func configuration(certificatePath: String, keyPath: String, now: Date = Date()) throws -> TLSConfiguration {
        for (setting, path) in [("server.tls_certificate", certificatePath), ("server.tls_key", keyPath)]
        where !FileManager.default.isReadableFile(atPath: path) {
            throw ConfigurationError(description: "\(setting): cannot read \(path).")
        }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw ConfigurationError(description: "server.tls_certificate: \(certificatePath) holds no PEM certificate (\(error)).")
        }
        guard let leaf = chain.first else {
            throw ConfigurationError(description: "server.tls_certificate: \(certificatePath) holds no PEM certificate.")
        }
        let expiry = Date(timeIntervalSince1970: TimeInterval(leaf.notValidAfter))
        guard expiry > now else {
            throw ConfigurationError(description: "server.tls_certificate: the certificate in \(certificatePath) expired at \(expiry).")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw ConfigurationError(description: "server.tls_key: \(keyPath) holds no unencrypted PEM private key (\(error)).")
        }
        let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                                     privateKey: .privateKey(key))
        do {
            // Building the context checks the key against the certificate.
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConfigurationError(description: "server.tls_key: the key in \(keyPath) does not match the certificate in \(certificatePath) (\(error)).")
        }
        return configuration
    }
}
