import ArgumentParser

/// The `easel` command: run the server and administer an installation.
@main
struct Easel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "easel",
        abstract: "A self-hosted AIGC image-generation task server (Tencent VOD/MPS, REST proxy and OpenAI dialects).",
        subcommands: [Serve.self, Keys.self, Media.self, Deliveries.self],
        defaultSubcommand: Serve.self)
}
