/// A command that works through a running server's admin API (`--url`, EASEL_URL) or on the local installation.
protocol ServerOrLocalCommand {
    /// `--data-dir`, `--config`.
    var common: CommonOptions { get }
    /// `--url`, `--admin-key`.
    var remote: RemoteOptions { get }
}

extension ServerOrLocalCommand {
    /// `server` with the admin API of the server the options name, else `local` with the local installation.
    func onServerOrLocally<T: Sendable>(server: (AdminAPI) async throws -> T,
                                        local: (LocalInstallation) async throws -> T) async throws -> T {
        if let target = try remote.admin(common) { return try await target.run(server) }
        return try await LocalInstallation.with(common, local)
    }
}
