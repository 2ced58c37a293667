import EaselCore
import Foundation

/// A model named on the command line as `NAME-VERSION` (`GEM-2.5`, `GG-3.1-lite`, `wand-vega-image-1.0-pro`).
/// Names and versions may both contain `-`, so the catalog decides where the name ends: the first `-` whose left
/// side is a model the REST dialect knows. An unknown name is split before its version (the first `-` followed
/// by a digit, else the last `-`), so the server can answer with the models and versions it accepts.
struct ModelReference: Sendable, Equatable {
    /// `ModelName`.
    var name: String
    /// `ModelVersion`.
    var version: String

    /// Parses `text`; nil when it has no `-` with text on both sides.
    static func parse(_ text: String, catalog: ModelCatalog = .standard) -> ModelReference? {
        let text = text.trimmingWhitespace()
        let dashes = text.indices.filter { text[$0] == "-" && $0 != text.startIndex && text.index(after: $0) != text.endIndex }
        guard !dashes.isEmpty else { return nil }
        if let dash = dashes.first(where: { catalog.canonicalName(String(text[..<$0]), dialect: .rest) != nil }) {
            let name = catalog.canonicalName(String(text[..<dash]), dialect: .rest) ?? String(text[..<dash])
            let version = String(text[text.index(after: dash)...])
            return ModelReference(name: name, version: catalog.spec(name: name, version: version, dialect: .rest)?.version ?? version)
        }
        let dash = dashes.first { text[text.index(after: $0)].isNumber } ?? dashes[dashes.count - 1]
        return ModelReference(name: String(text[..<dash]), version: String(text[text.index(after: dash)...]))
    }
}
