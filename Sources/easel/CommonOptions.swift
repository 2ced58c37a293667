import ArgumentParser
import EaselApp

/// Options every command shares: where the installation is and which configuration file to read.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory (database, images, master key). Default ./easel-data or EASEL_DATA_DIR.")
    var dataDir: String?

    @Option(name: .long, help: "JSON configuration file.")
    var config: String?

    func configuration() throws -> EaselConfiguration {
        var configuration = try EaselConfiguration.load(file: config)
        if let dataDir { configuration.dataDirectory = dataDir }
        return configuration
    }
}
