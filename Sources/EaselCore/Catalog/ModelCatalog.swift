import Foundation

/// The models Easel accepts, per dialect, as data. Lookups match names and versions case-insensitively (clients send
/// `kling`, `o1`, `3.0-omni`) and answer with the catalog's canonical spelling.
public struct ModelCatalog: Sendable {
    /// Every spec. The same name/version may appear once per dialect family when the limits differ (VOD vs MPS);
    /// the first match for a dialect wins.
    public let all: [ModelSpec]
    /// The stable version per canonical model name, used when a version is optional (MPS, bare OpenAI ids).
    public let defaultVersions: [String: String]
    /// The model MPS uses when the request names none (the official MPS example sends only `Prompt`).
    public let mpsDefaultModelName: String
    // Each spec's name and version folded once, in the order of `all`: lookups run on every create.
    private let folded: [(name: String, version: String)]

    /// Creates a catalog.
    public init(specs: [ModelSpec], defaultVersions: [String: String], mpsDefaultModelName: String) {
        self.all = specs
        self.folded = specs.map { (Self.folded($0.name), Self.folded($0.version)) }
        self.defaultVersions = defaultVersions
        self.mpsDefaultModelName = mpsDefaultModelName
    }

    /// The documented catalog: VOD §4.6 (also REST and OpenAI) and MPS §5.1 (MPS-only models also OpenAI).
    public static let standard: ModelCatalog = {
        let vod = vodSpecs
        let mps = mpsSpecs.map { spec in
            let inVOD = vod.contains { $0.name == spec.name && $0.version == spec.version }
            return inVOD ? spec : spec.with(dialects: spec.dialects.union([.openai]))
        }
        return ModelCatalog(specs: vod + mps, defaultVersions: [
            "GEM": "2.5", "GG": "2.5", "OG": "image2_medium", "SI": "4.0", "Qwen": "0925", "Hunyuan": "3.0",
            "Vidu": "q2", "Kling": "2.1", "Jimeng": "4.0", "MJ": "v7", "Mingmou": "1.0", "wand-vega-image": "1.0-pro",
        ], mpsDefaultModelName: "GEM")
    }()

    /// The spec for `name`/`version` in `dialect`, matched case-insensitively; nil when unknown there.
    public func spec(name: String, version: String, dialect: Dialect) -> ModelSpec? {
        let name = Self.folded(name), version = Self.folded(version)
        return all.indices.first {
            all[$0].dialects.contains(dialect) && folded[$0].name == name && folded[$0].version == version
        }.map { all[$0] }
    }

    /// Every spec of model `name` in `dialect`, in catalog order.
    public func specs(name: String, dialect: Dialect) -> [ModelSpec] {
        let name = Self.folded(name)
        return all.indices.filter { all[$0].dialects.contains(dialect) && folded[$0].name == name }.map { all[$0] }
    }

    /// The canonical spelling of model `name` in `dialect`, or nil when the dialect does not know it.
    public func canonicalName(_ name: String, dialect: Dialect) -> String? {
        specs(name: name, dialect: dialect).first?.name
    }

    /// Model names accepted in `dialect`, in catalog order without repeats.
    public func names(for dialect: Dialect) -> [String] {
        var seen = Set<String>()
        return all.filter { $0.dialects.contains(dialect) && seen.insert($0.name).inserted }.map(\.name)
    }

    /// Canonical versions of model `name` in `dialect`.
    public func versions(name: String, dialect: Dialect) -> [String] {
        specs(name: name, dialect: dialect).map(\.version)
    }

    /// The version used when a request names model `name` without a version: the stable default in MPS (where
    /// ModelVersion is optional) and for bare OpenAI ids; nil in VOD and REST, where ModelVersion is required.
    public func defaultVersion(name: String, dialect: Dialect) -> String? {
        guard dialect == .mps || dialect == .openai, let canonical = canonicalName(name, dialect: dialect),
              let version = defaultVersions[canonical], spec(name: canonical, version: version, dialect: dialect) != nil
        else { return nil }
        return version
    }

    /// The model used when a request names none: GEM 2.5 in MPS (it takes the AspectRatio and Resolution of the documented examples); nil elsewhere (ModelName is required).
    public func defaultModel(for dialect: Dialect) -> ModelSpec? {
        guard dialect == .mps, let version = defaultVersion(name: mpsDefaultModelName, dialect: dialect) else { return nil }
        return spec(name: mpsDefaultModelName, version: version, dialect: dialect)
    }

    static func folded(_ text: String) -> String {
        text.trimmingWhitespace().lowercased()
    }
}
