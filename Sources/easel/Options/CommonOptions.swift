import ArgumentParser
import EaselApp

/// Options every command shares: where the installation is and which configuration file to read.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory (database, images, master key). Default ./easel-data or EASEL_DATA_DIR.")
    var dataDir: String?

    @Option(name: .long, help: "JSON configuration file.")
    var config: String?

    /// The configuration: these flags and `flags` (file keys to values) over the environment over the file.
    func configuration(flags: [String: String] = [:]) throws -> EaselConfiguration {
        var commandLine = flags
        if let dataDir { commandLine["data_dir"] = dataDir }
        return try EaselConfiguration.load(file: config, commandLine: commandLine)
    }
}
