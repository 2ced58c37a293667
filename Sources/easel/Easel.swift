import ArgumentParser
import Foundation

/// The `easel` command: run the server, submit tasks and administer an installation.
@main
struct Easel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "easel",
        abstract: "A self-hosted AIGC image-generation task server (Tencent VOD/MPS, REST proxy and OpenAI dialects).",
        subcommands: [Serve.self, Submit.self, Tasks.self, Usage.self, Keys.self, Media.self, Deliveries.self],
        defaultSubcommand: Serve.self)

    // ArgumentParser exits 64 on usage errors; the CLI promises 2 for usage and connection errors and 1 for
    // failed work, each reported as one line on stderr.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("easel: \(error.message)\n".utf8))
            Foundation.exit(error.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data("easel: \(message(for: error))\n".utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
