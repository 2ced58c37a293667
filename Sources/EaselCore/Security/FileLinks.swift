import Foundation

/// The URLs clients download outputs from: Easel's own signed `/files/…` URLs under the public base URL, or the
/// bucket URL an output was delivered to.
public struct FileLinks: Sendable {
    /// Signs and checks `/files/…` URLs.
    public let signer: URLSigner
    /// The base of the URLs handed to clients, without a trailing `/`.
    public let publicBaseURL: String

    /// Creates the links; a trailing `/` of `publicBaseURL` is dropped.
    public init(signer: URLSigner, publicBaseURL: String) {
        self.signer = signer
        self.publicBaseURL = publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL
    }

    /// The URL a client downloads `output` from.
    public func url(for output: TaskOutput) -> String {
        if let external = output.externalURL { return external }
        let path = "/files/\(output.blobKey)"
        let expires = output.expiresAt.map { Int64($0.timeIntervalSince1970.rounded(.up)) }
        return "\(publicBaseURL)\(path)?\(signer.query(for: path, expires: expires))"
    }
}
