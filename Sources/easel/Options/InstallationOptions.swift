import ArgumentParser
import Foundation

/// Which installation a command works on: a running server through its admin API (`--url`, `--admin-key`), or the
/// local data directory and configuration file (`--data-dir`, `--config`).
struct InstallationOptions: ParsableArguments {
    @OptionGroup var common: CommonOptions

    @Option(help: ArgumentHelp("Administer the server at this URL through its admin API (env EASEL_URL) instead of opening the data directory.",
                               valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("The server's admin key (env EASEL_ADMIN_KEY); needed with --url.", valueName: "key"))
    var adminKey: String?

    /// The server to administer, or nil to use the local data directory. `--url` wins; EASEL_URL counts only
    /// when no data directory is named (`--data-dir`, EASEL_DATA_DIR), so a named data directory means the local
    /// store.
    func admin(environment: [String: String] = ProcessInfo.processInfo.environment) throws(CLIError) -> AdminTarget? {
        let url: String
        if let given = self.url {
            if common.dataDir != nil { throw .usage("--url and --data-dir exclude each other: pick the server or the data directory.") }
            url = given
        } else if common.dataDir == nil, (environment["EASEL_DATA_DIR"] ?? "").isEmpty,
                  let fromEnvironment = environment["EASEL_URL"], !fromEnvironment.isEmpty {
            url = fromEnvironment
        } else {
            return nil
        }
        guard let key = adminKey ?? environment["EASEL_ADMIN_KEY"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw .usage("--url needs the admin key: pass --admin-key or set EASEL_ADMIN_KEY.")
        }
        return AdminTarget(url: try HTTPSession.validatedBase(url), key: key)
    }

    /// `server` with the admin API of the server these options name, else `local` with the local installation.
    func run<T: Sendable>(server: (AdminAPI) async throws -> T, local: (LocalInstallation) async throws -> T) async throws -> T {
        if let target = try admin() { return try await target.run(server) }
        return try await LocalInstallation.with(common, local)
    }

    /// Posts `path` to the server's admin API, else runs `local`, which answers whether it found the record it acts
    /// on; when it did not, the command fails with `missing`.
    func post(_ path: String, orLocally local: (LocalInstallation) async throws -> Bool, missing: String) async throws {
        try await run { api in
            _ = try await api.post(path)
        } local: { installation in
            guard try await local(installation) else { throw CLIError.failed(missing) }
        }
    }
}
