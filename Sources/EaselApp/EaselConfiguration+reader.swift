import Configuration
import EaselCore
import Foundation

extension EaselConfiguration {
    /// Reads every scalar knob through `reader` into its field (`EaselSettings.all`), the structured sections from
    /// `file`, and the variable groups that stand for a section (`EASEL_OUTPUT_*`, `EASEL_BUCKET_*`) from
    /// `environment`; then validates the whole.
    init(reader: ConfigReader, file: ConfigurationFile?, environment: [String: String]) throws {
        self.init()
        for setting in EaselSettings.all { try setting.read(reader, into: &self) }
        // Formats are names: `JSON` means `json`.
        logging.format = logging.format.lowercased()
        openAI.aliases = file?.openai?.aliases ?? [:]
        outputStore = try OutputStore.fromEnvironment(environment) ?? file?.outputStore
        apps = file?.apps ?? []
        upstreams = file?.upstreams ?? []
        compliance = file?.compliance
        promptEnhancer = file?.promptEnhancer
        usagePrices = file?.usage?.prices ?? [:]
        bucketStorage = BucketStorage.fromEnvironment(environment) ?? file?.bucketStorage
        try validate()
    }

    /// Loads the configuration: `commandLine` (file keys to values, e.g. `["server.port": "9000"]`) over
    /// `environment` over the JSON `file`, if any.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                            commandLine: [String: String] = [:]) throws -> Self {
        var structured: ConfigurationFile?
        var tree: JSONValue?
        if let file {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            do {
                tree = try JSONValue.parse(Array(data))
            } catch {
                throw ConfigurationError(description: "\(file) is not valid JSON.")
            }
            structured = try ConfigurationFile.decode(data)
        }
        let reader = ConfigurationSources.reader(commandLine: commandLine, environment: environment, file: tree)
        return try EaselConfiguration(reader: reader, file: structured, environment: environment)
    }
}

extension EaselConfiguration.BucketStorage {
    /// From `EASEL_BUCKET_ACCESS_KEY_ID` and `EASEL_BUCKET_SECRET_ACCESS_KEY` (both needed), `EASEL_BUCKET_ENDPOINT`
    /// (default Tencent COS), `EASEL_BUCKET_REGION` (default `ap-guangzhou`), `EASEL_BUCKET_ADDRESSING` and
    /// `EASEL_BUCKET_PUBLIC_LINKS`; nil without the key pair.
    static func fromEnvironment(_ environment: [String: String]) -> Self? {
        guard let key = environment["EASEL_BUCKET_ACCESS_KEY_ID"], let secret = environment["EASEL_BUCKET_SECRET_ACCESS_KEY"] else {
            return nil
        }
        return Self(endpoint: environment["EASEL_BUCKET_ENDPOINT"] ?? "https://cos.{region}.myqcloud.com",
                    region: environment["EASEL_BUCKET_REGION"] ?? "ap-guangzhou", accessKeyId: key, secretAccessKey: secret,
                    addressingStyle: environment["EASEL_BUCKET_ADDRESSING"],
                    publicLinks: environment["EASEL_BUCKET_PUBLIC_LINKS"].map { $0 == "1" || $0.lowercased() == "true" })
    }
}
