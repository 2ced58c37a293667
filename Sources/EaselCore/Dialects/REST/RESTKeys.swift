/// The REST proxy speaks VOD with snake_case keys; these convert between the two spellings word by word.
public enum RESTKeys {
    /// `output_config` → `OutputConfig`, recursively through objects and arrays.
    public static func pascalCased(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var converted: [String: JSONValue] = [:]
            for (key, member) in members { converted[pascal(key)] = pascalCased(member) }
            return .object(converted)
        case .array(let items):
            return .array(items.map(pascalCased))
        default:
            return value
        }
    }

    /// `aspect_ratio` → `AspectRatio`.
    public static func pascal(_ key: String) -> String {
        key.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// `OutputConfig.AspectRatio` → `output_config.aspect_ratio`, for messages.
    @Sendable public static func snakePath(_ path: String) -> String {
        path.split(separator: ".", omittingEmptySubsequences: false).map { segment in
            var result = ""
            for character in segment {
                if character.isUppercase, !result.isEmpty { result += "_" }
                result += character.lowercased()
            }
            return result
        }.joined(separator: ".")
    }
}
