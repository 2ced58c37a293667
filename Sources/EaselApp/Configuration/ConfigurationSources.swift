import Configuration
import EaselCore

/// The one `ConfigReader` every knob is read through: command-line flags over `EASEL_*` environment variables over
/// the JSON file. Each setting's environment variable is its own name (`EASEL_RATE_LIMIT` for
/// `scheduling.create_rate_limit`), mapped from the key by `EaselSettings`; an empty variable counts as unset; secret
/// settings are marked secret in every provider, so access logs and errors never show them.
enum ConfigurationSources {
    /// The reader over `commandLine` (file keys to values), `environment` and the parsed file.
    static func reader(commandLine: [String: String], environment: [String: String], file: JSONValue?) -> ConfigReader {
        let secretKeys = EaselSettings.secretKeys
        let secretVariables = EaselSettings.secretVariables
        let variables = environment.filter { !$0.value.isEmpty }
        let variableOfKey = EaselSettings.variableOfKey
        let environmentProvider = KeyMappingProvider(
            upstream: EnvironmentVariablesProvider(environmentVariables: variables,
                                                   secretsSpecifier: .dynamic { name, _ in secretVariables.contains(name) }),
            keyMapper: { key in AbsoluteConfigKey([variableOfKey[key.components.joined(separator: ".")] ?? "EASEL_NO_SUCH_VARIABLE"]) })
        var flags: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in commandLine {
            flags[Self.key(key)] = ConfigValue(.string(value), isSecret: secretKeys.contains(key))
        }
        var fileValues: [AbsoluteConfigKey: ConfigValue] = [:]
        if let file { flatten(file, path: [], secretKeys: secretKeys, into: &fileValues) }
        return ConfigReader(providers: [
            InMemoryProvider(name: "command line", values: flags),
            environmentProvider,
            InMemoryProvider(name: "configuration file", values: fileValues),
        ])
    }

    /// `server.port` as a key.
    static func key(_ dotted: String) -> AbsoluteConfigKey {
        AbsoluteConfigKey(dotted.split(separator: ".").map(String.init))
    }

    // The file's scalars become strings and its arrays of scalars string arrays, so every setting parses its own
    // text and a wrong value fails with the setting's name; arrays of objects (`apps`, `upstreams`) are the
    // structured sections, decoded by `ConfigurationFile`.
    private static func flatten(_ value: JSONValue, path: [String], secretKeys: Set<String>,
                                into values: inout [AbsoluteConfigKey: ConfigValue]) {
        let isSecret = secretKeys.contains(path.joined(separator: "."))
        switch value {
        case .object(let members):
            for (name, member) in members { flatten(member, path: path + [name], secretKeys: secretKeys, into: &values) }
        case .array(let items):
            let texts = items.compactMap(scalarText)
            if texts.count == items.count { values[AbsoluteConfigKey(path)] = ConfigValue(.stringArray(texts), isSecret: isSecret) }
        case .null:
            break
        default:
            if let text = scalarText(value) { values[AbsoluteConfigKey(path)] = ConfigValue(.string(text), isSecret: isSecret) }
        }
    }

    private static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .int(let number): String(number)
        case .double(let number): String(number)
        case .bool(let flag): String(flag)
        case .null, .array, .object: nil
        }
    }
}

extension ConfigReader {
    /// The value of `setting` from the first source that sets it, or nil when none does; a value that does not parse
    /// fails with one line naming the setting (and not showing a secret).
    func value<Value>(_ setting: Setting<Value>) throws -> Value? {
        let key = ConfigKey(setting.key.split(separator: ".").map(String.init))
        let parsed: Value?
        let shown: String
        if Value.isList {
            guard let items = stringArray(forKey: key, isSecret: setting.isSecret) else { return nil }
            parsed = Value.parse(items: items)
            shown = items.joined(separator: ",")
        } else {
            guard let text = string(forKey: key, isSecret: setting.isSecret), !text.isEmpty else { return nil }
            parsed = Value.parse(text)
            shown = text
        }
        guard let parsed else {
            let got = setting.isSecret ? "" : ", got `\(shown)`"
            throw ConfigurationError(description: "\(setting.names) must be \(Value.expected)\(got).")
        }
        return parsed
    }
}
