extension EaselConfiguration {
    /// Loads and checks the HTTPS certificate and key, if configured, so that `easel serve` stops with one line before
    /// it touches the data directory when they are unusable.
    public func checkTLSFiles() throws {
        guard let certificate = server.tlsCertificate, let key = server.tlsKey else { return }
        _ = try ServerTLS.configuration(certificatePath: certificate, keyPath: key)
    }
}
