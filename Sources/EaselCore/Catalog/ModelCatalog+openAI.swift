import Foundation

/// OpenAI model ids: `GG-2.5`, `Kling-3.0-Omni`, `OG-image2_high`, `wand-vega-image-1.0-pro`, or a bare model name
/// (`Kling`) for its default version; operators may add aliases such as `gpt-image-1` → `OG-image2_medium`.
extension ModelCatalog {
    /// Splits `id` at the first `-` whose left side is a known model name. Returns the canonical name and the
    /// canonical version when the catalog knows it (else the version as sent, so validation can list the versions).
    /// A bare model name gets its default version. Nil when no prefix names a model.
    public func parseOpenAIModelID(_ id: String) -> (name: String, version: String)? {
        let id = id.trimmingWhitespace()
        if let name = canonicalName(id, dialect: .openai) {
            guard let version = defaultVersion(name: name, dialect: .openai) else { return nil }
            return (name, version)
        }
        var index = id.startIndex
        while let dash = id[index...].firstIndex(of: "-") {
            if let name = canonicalName(String(id[..<dash]), dialect: .openai) {
                let version = String(id[id.index(after: dash)...])
                let canonical = spec(name: name, version: version, dialect: .openai)?.version ?? version
                return (name, canonical)
            }
            index = id.index(after: dash)
        }
        return nil
    }

    /// Resolves an OpenAI `model` value: an alias (matched case-insensitively) is replaced by its target first, then
    /// the id is parsed as in ``parseOpenAIModelID(_:)``.
    public func resolveOpenAIModel(_ id: String, aliases: [String: String]) -> (name: String, version: String)? {
        let key = Self.folded(id)
        if let target = aliases[id] ?? aliases.first(where: { Self.folded($0.key) == key })?.value {
            return parseOpenAIModelID(target)
        }
        return parseOpenAIModelID(id)
    }

    /// The ids `GET /v1/models` lists: one per spec the OpenAI dialect accepts.
    public var openAIModelIDs: [String] {
        all.filter { $0.dialects.contains(.openai) }.map(\.openAIModelID)
    }
}
