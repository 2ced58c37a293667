@testable import EaselCore
import Testing

/// The model catalog: lookups, per-dialect lists and limits, OpenAI model ids, size rules and output geometry.
@Suite struct CatalogTests {
    let catalog = ModelCatalog.standard

    static let vodNames = ["GEM", "GG", "OG", "SI", "Qwen", "Hunyuan", "Vidu", "Kling", "Jimeng", "MJ", "Mingmou"]
    static let mpsNames = ["Hunyuan", "GEM", "Qwen", "Vidu", "Kling", "MJ", "wand-vega-image"]

    @Test func everySpecIsFoundCaseInsensitivelyInItsDialects() {
        for spec in catalog.all {
            for dialect in spec.dialects {
                for (name, version) in [(spec.name.lowercased(), spec.version.uppercased()),
                                        (spec.name.uppercased(), " " + spec.version.lowercased())] {
                    let found = catalog.spec(name: name, version: version, dialect: dialect)
                    #expect(found?.name == spec.name, "\(spec) in \(dialect)")
                    #expect(found?.version == spec.version, "\(spec) in \(dialect)")
                }
            }
        }
    }

    @Test func namesPerDialect() {
        #expect(catalog.names(for: .vod) == Self.vodNames)
        #expect(catalog.names(for: .rest) == Self.vodNames)
        #expect(catalog.names(for: .mps) == Self.mpsNames)
        #expect(catalog.names(for: .openai) == Self.vodNames + ["wand-vega-image"])
    }

    @Test(arguments: [
        (Dialect.vod, "GG", "3.1-lite", true), (.vod, "wand-vega-image", "1.0-pro", false), (.mps, "GG", "2.5", false),
        (.mps, "Kling", "scene", false), (.mps, "Hunyuan", "3d_2.0", false), (.rest, "Hunyuan", "3d_2.0", true),
        (.openai, "wand-vega-image", "1.0-flash", true), (.openai, "Mingmou", "1.0", true), (.mps, "MJ", "V7", true),
        (.vod, "kling", "3.0-omni", true), (.vod, "Qwen", "2.0", true), (.mps, "Qwen", "2.0", false),
    ])
    func membership(dialect: Dialect, name: String, version: String, expected: Bool) {
        #expect((catalog.spec(name: name, version: version, dialect: dialect) != nil) == expected)
    }

    @Test(arguments: [
        (Dialect.vod, "GG", "2.5", 3), (.vod, "GG", "3.0", 14), (.vod, "GG", "3.1-lite", 14), (.vod, "GEM", "3.0", 14),
        (.mps, "GEM", "3.0", 3), (.vod, "OG", "image2_low", 16), (.vod, "SI", "5.0-lite", 14), (.vod, "Qwen", "0925", 1),
        (.vod, "Hunyuan", "3.0", 3), (.mps, "Hunyuan", "3.5-preview", 5), (.vod, "Vidu", "q2", 7), (.mps, "Kling", "2.1", 4),
        (.vod, "Kling", "3.0", 1), (.vod, "Kling", "O1", 10), (.mps, "Kling", "3.0-Omni", 10), (.vod, "Jimeng", "4.0", 10),
        (.vod, "MJ", "v7", 3), (.vod, "Mingmou", "1.0", 1), (.mps, "wand-vega-image", "1.0-lite", 10),
    ])
    func referenceLimits(dialect: Dialect, name: String, version: String, limit: Int) {
        #expect(catalog.spec(name: name, version: version, dialect: dialect)?.maxReferenceImages == limit)
    }

    @Test func featuresFollowTheDocs() throws {
        let og = try #require(catalog.spec(name: "OG", version: "image2_high", dialect: .vod))
        #expect(og.supportsMask && og.outputImageCounts == 1...8 && !og.supportsImageText)
        let kling = try #require(catalog.spec(name: "Kling", version: "O1", dialect: .vod))
        #expect(kling.outputImageCounts == 1...9 && kling.sceneTypes == ["image_expand"])
        #expect(kling.aspectRatios?.contains("auto") == true)
        let mpsKling = try #require(catalog.spec(name: "Kling", version: "O1", dialect: .mps))
        #expect(mpsKling.aspectRatios?.contains("auto") == false && mpsKling.sceneTypes.isEmpty)
        let hunyuan = try #require(catalog.spec(name: "Hunyuan", version: "3.0", dialect: .mps))
        #expect(hunyuan.sceneTypes == ["3d_panorama"] && hunyuan.sizeRule == .hunyuan)
        #expect(catalog.spec(name: "GG", version: "3.1", dialect: .vod)?.aspectRatios?.contains("8:1") == true)
        #expect(catalog.spec(name: "GG", version: "2.5", dialect: .vod)?.aspectRatios?.contains("8:1") == false)
        #expect(catalog.spec(name: "GEM", version: "2.5", dialect: .vod)?.supportsImageText == true)
        #expect(catalog.spec(name: "SI", version: "4.0", dialect: .vod)?.aspectRatioInPrompt == true)
        #expect(catalog.all.allSatisfy { $0.defaultOutputFormat == "png" && $0.outputFormats == ["jpeg", "png"] })
        #expect(catalog.all.allSatisfy { spec in spec.defaultResolution.map { spec.resolutions?.contains($0) == true } ?? true })
    }

    @Test(arguments: [
        ("Hunyuan", "3.0"), ("GEM", "2.5"), ("Qwen", "0925"), ("Vidu", "q2"), ("Kling", "2.1"), ("MJ", "v7"),
        ("wand-vega-image", "1.0-pro"), ("kling", "2.1"),
    ])
    func mpsDefaultVersions(name: String, version: String) {
        #expect(catalog.defaultVersion(name: name, dialect: .mps) == version)
        #expect(catalog.defaultVersion(name: name, dialect: .vod) == nil)
    }

    @Test func defaultModel() {
        #expect(catalog.defaultModel(for: .mps)?.description == "GEM 2.5")
        #expect(catalog.defaultModel(for: .vod) == nil)
        #expect(catalog.defaultVersion(name: "GG", dialect: .mps) == nil)
    }

    @Test(arguments: [
        ("GG-2.5", "GG", "2.5"), ("Kling-3.0-Omni", "Kling", "3.0-Omni"), ("kling-3.0-omni", "Kling", "3.0-Omni"),
        ("OG-image2_high", "OG", "image2_high"), ("wand-vega-image-1.0-pro", "wand-vega-image", "1.0-pro"),
        ("Hunyuan-3d_2.0", "Hunyuan", "3d_2.0"), ("Kling", "Kling", "2.1"), ("gg-9.9", "GG", "9.9"),
        ("SI-5.0-LITE", "SI", "5.0-lite"),
    ])
    func openAIModelIDs(id: String, name: String, version: String) throws {
        let parsed = try #require(catalog.parseOpenAIModelID(id))
        #expect(parsed.name == name && parsed.version == version)
    }

    @Test func openAIModelIDsThatDoNotParse() {
        for id in ["gpt-image-1", "dall-e-3", "", "-2.5", "wand-1.0"] {
            #expect(catalog.parseOpenAIModelID(id) == nil, "\(id)")
        }
    }

    @Test func openAIAliases() throws {
        let aliases = ["gpt-image-1": "OG-image2_medium", "nano-banana": "GG-2.5"]
        let og = try #require(catalog.resolveOpenAIModel("GPT-Image-1", aliases: aliases))
        #expect(og.name == "OG" && og.version == "image2_medium")
        let gg = try #require(catalog.resolveOpenAIModel("nano-banana", aliases: aliases))
        #expect(gg.name == "GG" && gg.version == "2.5")
        let direct = try #require(catalog.resolveOpenAIModel("MJ-v7", aliases: aliases))
        #expect(direct.name == "MJ" && direct.version == "v7")
        #expect(catalog.resolveOpenAIModel("dall-e-3", aliases: aliases) == nil)
        #expect(Set(catalog.openAIModelIDs).count == catalog.openAIModelIDs.count)
        #expect(catalog.openAIModelIDs.contains("wand-vega-image-1.0-lite"))
    }

    @Test(arguments: [
        (SizeRule.hunyuan, "1024x1024", true), (.hunyuan, "2048x2048", false), (.hunyuan, "728x1024", true),
        (.hunyuan, "400x400", false), (.hunyuan, "2048x512", true), (.og, "1000x1000", false), (.og, "1024x1024", true),
        (.og, "512x512", false), (.og, "3840x2160", true), (.si40, "1280x720", true), (.si40, "1024x800", false),
        (.si45, "2048x2048", true), (.si45, "1920x1080", false), (.si50Lite, "4096x4096", false),
        (.si50Lite, "3072x3072", true), (.qwen, "728*1024", true), (.qwen, "510x510", false), (.qwen, "2048*2048", true),
    ])
    func sizeRules(rule: SizeRule, size: String, allowed: Bool) throws {
        let parsed = try #require(PixelSize(parsing: size))
        #expect((rule.violation(of: parsed) == nil) == allowed, "\(rule)")
    }

    @Test func fittingIntoASizeRule() {
        #expect(SizeRule.hunyuan.fitted(PixelSize(width: 2048, height: 2048)) == PixelSize(width: 1024, height: 1024))
        #expect(SizeRule.si45.fitted(PixelSize(width: 1024, height: 1024)) == PixelSize(width: 1920, height: 1920))
        let og = SizeRule.og.fitted(PixelSize(width: 1000, height: 1000))
        #expect(og.map { $0.width % 16 == 0 && $0.width == $0.height && SizeRule.og.violation(of: $0) == nil } == true)
        #expect(SizeRule.hunyuan.fitted(PixelSize(width: 4096, height: 512)) == PixelSize(width: 2048, height: 512))
    }

    @Test(arguments: [
        ("GG", "2.5", nil, nil, "1024x1024"), ("GG", "2.5", "1K", "16:9", "1368x768"), ("GG", "2.5", "2K", "1:1", "2048x2048"),
        ("GG", "2.5", "4K", "9:16", "3072x5464"), ("GG", "3.1", "720P", "16:9", "1280x720"),
        ("Vidu", "q2", "1080p", "16:9", "1920x1080"), ("Vidu", "q2", nil, nil, "1080x1080"), ("Vidu", "q2", "1080P", "9:16", "1080x1920"),
        ("Vidu", "q2", "1080p", "21:9", "2520x1080"), ("Kling", "O1", "1k", "auto", "1024x1024"),
        ("GEM", "2.5", "2304x1728", "16:9", "2304x1728"), ("SI", "4.5", nil, nil, "2048x2048"), ("SI", "5.0-lite", "3K", nil, "3072x3072"),
        ("OG", "image2_low", "4K", "1:1", "2880x2880"), ("Qwen", "0925", nil, nil, "1024x1024"), ("Hunyuan", "3.0", nil, nil, "1024x1024"),
        ("Jimeng", "4.0", nil, nil, "1024x1024"), ("MJ", "v7", nil, nil, "1024x1024"), ("Mingmou", "1.0", nil, nil, "1024x1024"),
    ] as [(String, String, String?, String?, String)])
    func geometry(name: String, version: String, resolution: String?, aspect: String?, expected: String) throws {
        let spec = try #require(catalog.spec(name: name, version: version, dialect: .vod))
        let size = OutputGeometry.outputSize(resolution: resolution, aspectRatio: aspect, size: nil, spec: spec)
        #expect(size.description == expected)
    }

    @Test func tierSizesOfARuledModelSatisfyTheRule() throws {
        let og = try #require(catalog.spec(name: "OG", version: "image2_medium", dialect: .vod))
        for ratio in og.aspectRatios ?? [] {
            for tier in og.resolutions ?? [] {
                let size = OutputGeometry.outputSize(resolution: tier, aspectRatio: ratio, size: nil, spec: og)
                #expect(SizeRule.og.violation(of: size) == nil, "\(tier) \(ratio) → \(size)")
            }
        }
        let explicit = PixelSize(width: 728, height: 1024)
        #expect(OutputGeometry.outputSize(resolution: "4K", aspectRatio: "1:1", size: explicit, spec: og) == explicit)
    }

    @Test(arguments: [
        ("GG", "2.5", "1536x1024", "3:2", "1K", nil), ("GG", "2.5", "1792x1024", "16:9", "1K", nil),
        ("GG", "2.5", "1024x1024", "1:1", "1K", nil), ("GG", "2.5", "2048x2048", "1:1", "2K", nil),
        ("Vidu", "q2", "1920x1080", "16:9", "1080p", nil), ("Kling", "O1", "1024x1536", "2:3", "1k", nil),
        ("GEM", "2.5", "2304x1728", "4:3", "2304x1728", nil), ("Hunyuan", "3.0", "2048x2048", nil, nil, "1024x1024"),
        ("SI", "4.5", "1024x1024", nil, nil, "1920x1920"), ("Qwen", "0925", "1536x1024", nil, nil, "1536x1024"),
        ("MJ", "v7", "1536x1024", nil, nil, "1536x1024"), ("wand-vega-image", "1.0-pro", "1536x1024", nil, "1K", nil),
    ] as [(String, String, String, String?, String?, String?)])
    func closestResolution(name: String, version: String, size: String, aspect: String?, resolution: String?,
                           explicit: String?) throws {
        let spec = try #require(catalog.spec(name: name, version: version, dialect: .openai))
        let choice = OutputGeometry.closestResolution(for: try #require(PixelSize(parsing: size)), spec: spec)
        #expect(choice.aspectRatio == aspect)
        #expect(choice.resolution == resolution)
        #expect(choice.size?.description == explicit)
    }

    @Test func aspectRatioParsing() {
        #expect(OutputGeometry.parseAspectRatio("16:9")! == (16, 9))
        #expect(OutputGeometry.parseAspectRatio("AUTO")! == (1, 1))
        #expect(OutputGeometry.parseAspectRatio("16x9") == nil)
        #expect(OutputGeometry.parseAspectRatio("0:9") == nil)
    }
}
