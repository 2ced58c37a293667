import Configuration

/// One knob, defined once: its key in the JSON file (`scheduling.lease_seconds`), its environment variable
/// (`EASEL_LEASE_SECONDS`), the field of ``EaselConfiguration`` it sets (whose initial value is its default) and what
/// it does. `EaselConfiguration(reader:)` reads every setting into its field, the README's configuration table is
/// checked against them, and errors name both spellings.
public struct Setting<Value: SettingValue>: ConfigurationSetting {
    /// Dotted key in the configuration file.
    public let key: String
    /// Environment variable, if one sets it.
    public let environment: String?
    /// The field it sets.
    public let field: WritableKeyPath<EaselConfiguration, Value> & Sendable
    /// The default as the README states it, when the value alone does not say it (`generated data_dir/master.key`).
    public let documentedDefault: String?
    /// What it does, for the README.
    public let meaning: String
    /// Whether its value must never be printed (keys, passwords).
    public let isSecret: Bool

    /// Defines a setting.
    public init(_ key: String, env environment: String?, at field: WritableKeyPath<EaselConfiguration, Value> & Sendable,
                documented documentedDefault: String? = nil, secret isSecret: Bool = false, _ meaning: String) {
        self.key = key
        self.environment = environment
        self.field = field
        self.documentedDefault = documentedDefault
        self.meaning = meaning
        self.isSecret = isSecret
    }

    /// The value when nothing sets it: the field's initial value.
    public var defaultValue: Value { EaselConfiguration()[keyPath: field] }

    /// Sets the field from the first of `reader`'s sources that sets the setting, leaving it as it is otherwise.
    public func read(_ reader: ConfigReader, into configuration: inout EaselConfiguration) throws {
        if let value = try reader.value(self) { configuration[keyPath: field] = value }
    }

    /// Both spellings, for error messages: `scheduling.lease_seconds (EASEL_LEASE_SECONDS)`.
    public var names: String { environment.map { "\(key) (\($0))" } ?? key }

    private static func quoted(_ text: String) -> String {
        text == "none" || text == "unset" ? text : "`\(text)`"
    }

    /// The row this setting contributes to the README's table.
    public var row: SettingRow {
        SettingRow(key: key, environment: environment.map { [$0] } ?? [],
                   defaultValue: documentedDefault ?? Self.quoted(defaultValue.documented), meaning: meaning, isSecret: isSecret)
    }
}

/// One row of the README's configuration table.
public struct SettingRow: Sendable, Equatable {
    /// The file key (or keys, comma-separated).
    public let key: String
    /// The environment variables that set it.
    public let environment: [String]
    /// The default as documented.
    public let defaultValue: String
    /// What it does.
    public let meaning: String
    /// Whether the setting's value is a secret.
    public let isSecret: Bool

    /// Creates a row.
    public init(key: String, environment: [String], defaultValue: String, meaning: String, isSecret: Bool = false) {
        self.key = key
        self.environment = environment
        self.defaultValue = defaultValue
        self.meaning = meaning
        self.isSecret = isSecret
    }

    /// The row as a line of the README's Markdown table.
    public var markdown: String {
        let variables = environment.isEmpty ? "—" : environment.map { "`\($0)`" }.joined(separator: ", ")
        return "| `\(key)` | \(variables) | \(defaultValue) | \(meaning) |"
    }
}
