import Configuration

extension EaselConfiguration {
    /// Where the main port listens and how clients reach it. Keys (environment variable, default):
    /// - `server.host` (`EASEL_HOST`, `127.0.0.1`): the address to bind;
    /// - `server.port` (`EASEL_PORT`, 8080);
    /// - `server.public_url` (`EASEL_PUBLIC_URL`, `http://host:port`): the base of the URLs handed to clients;
    /// - `server.tls_certificate`, `server.tls_key` (`EASEL_TLS_CERTIFICATE`, `EASEL_TLS_KEY`, unset): PEM files
    ///   that make the main port HTTPS; both or neither.
    public struct ServerSettings: Sendable, Equatable {
        /// Address to bind.
        public var host = "127.0.0.1"
        /// Port; 0 picks a free one.
        public var port = 8080
        /// Base of the URLs handed to clients; nil: `effectivePublicURL`.
        public var publicURL: String?
        /// PEM certificate chain for HTTPS, with `tlsKey`.
        public var tlsCertificate: String?
        /// PEM private key of `tlsCertificate`.
        public var tlsKey: String?

        /// Defaults: plain HTTP on 127.0.0.1:8080.
        public init() {}

        /// The URL clients reach this server at.
        public var effectivePublicURL: String {
            publicURL ?? "\(tlsCertificate == nil ? "http" : "https")://\(host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host):\(port)"
        }

        func validate() throws {
            guard (0...65535).contains(port) else { throw ConfigurationError(description: "port must be 0–65535, got \(port).") }
            if (tlsCertificate == nil) != (tlsKey == nil) {
                throw ConfigurationError(description: "server.tls_certificate and server.tls_key go together: set both for HTTPS, or neither for HTTP.")
            }
        }
    }
}
