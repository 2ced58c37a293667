import Testing
@testable import easel

@Suite struct ModelReferenceTests {
    @Test(arguments: [
        ("GEM-2.5", "GEM", "2.5"),
        ("gem-3.0", "GEM", "3.0"),
        ("GG-3.1-lite", "GG", "3.1-lite"),
        ("kling-3.0-omni", "Kling", "3.0-Omni"),
        ("SI-5.0-lite", "SI", "5.0-lite"),
        ("OG-image2_high", "OG", "image2_high"),
        ("wand-vega-image-1.0-pro", "wand-vega-image", "1.0-pro"),
        ("Hunyuan-3d_2.0", "Hunyuan", "3d_2.0"),
    ])
    func catalogModelsSplitWhereTheNameEnds(text: String, name: String, version: String) {
        #expect(ModelReference.parse(text) == ModelReference(name: name, version: version))
    }

    @Test func unknownNamesSplitBeforeTheVersion() {
        #expect(ModelReference.parse("my-model-2.0-beta") == ModelReference(name: "my-model", version: "2.0-beta"))
        #expect(ModelReference.parse("my-model-latest") == ModelReference(name: "my-model", version: "latest"))
    }

    @Test(arguments: ["GEM", "-2.5", "GEM-", "", "  "])
    func textWithoutNameAndVersionIsRefused(text: String) {
        #expect(ModelReference.parse(text) == nil)
    }
}
