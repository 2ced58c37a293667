import ArgumentParser
import EaselApp

/// `easel serve`: runs the API server, the dispatcher, the sweeper and the webhook sender until SIGTERM/SIGINT, then
/// drains (see `EaselApplication`).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Easel server.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Address to bind (default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (default 8080).")
    var port: Int?

    func run() async throws {
        var flags: [String: String] = [:]
        if let host { flags["server.host"] = host }
        if let port { flags["server.port"] = String(port) }
        let configuration = try common.configuration(flags: flags)
        EaselApplication.bootstrapProcess(configuration)
        try await buildApplication(configuration: configuration).run()
    }
}
