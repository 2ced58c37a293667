import ArgumentParser
import Foundation

/// `--url` and `--admin-key`: administer a running server through its admin API instead of the local data directory.
struct RemoteOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Administer the server at this URL through its admin API (env EASEL_URL) instead of opening the data directory.",
                               valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("The server's admin key (env EASEL_ADMIN_KEY); needed with --url.", valueName: "key"))
    var adminKey: String?

    /// The server to administer, or nil to use the local data directory. `--url` wins; EASEL_URL counts only
    /// when no data directory is named (`--data-dir`, EASEL_DATA_DIR), so a named data directory means the local
    /// store.
    func admin(_ common: CommonOptions,
               environment: [String: String] = ProcessInfo.processInfo.environment) throws(CLIError) -> AdminTarget? {
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
}
