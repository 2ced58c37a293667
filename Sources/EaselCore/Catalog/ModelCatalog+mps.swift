/// MPS 2019-06-12 models (tencent-api.md 5.1). Where MPS documents other limits than VOD (reference counts, the
/// uppercase Resolution spelling, no `auto` aspect, SceneType for Hunyuan only), the MPS figures apply.
extension ModelCatalog {
    static let mpsSpecs: [ModelSpec] = {
        let d: Set<Dialect> = [.mps]
        let kling = ["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9"]
        // MPS lists Resolution generically as 720P, 1080P, 2K, 4K (wand-vega-image: 1K, 2K, 4K); per-model sets
        // follow VOD 4.6 so a model is not offered tiers it does not have.
        return [
            ModelSpec(name: "Hunyuan", version: "3.0", dialects: d, maxReferenceImages: 3, sizeRule: .hunyuan,
                      sceneTypes: ["3d_panorama"]),
            ModelSpec(name: "Hunyuan", version: "3.5-preview", dialects: d, maxReferenceImages: 5, sceneTypes: ["3d_panorama"]),

            // MPS caps GEM at 3 reference images for both versions.
            ModelSpec(name: "GEM", version: "2.5", dialects: d, maxReferenceImages: 3, resolutions: gemResolutions,
                      defaultResolution: "1K", aspectRatios: gemRatios, supportsImageText: true),
            ModelSpec(name: "GEM", version: "3.0", dialects: d, maxReferenceImages: 3, resolutions: gemResolutions,
                      defaultResolution: "1K", aspectRatios: gemRatios, supportsImageText: true),

            ModelSpec(name: "Qwen", version: "0925", dialects: d, maxReferenceImages: 1, sizeRule: .qwen),

            ModelSpec(name: "Vidu", version: "q2", dialects: d, maxReferenceImages: 7, resolutions: ["1080P", "2K", "4K"],
                      defaultResolution: "1080P", aspectRatios: viduRatios),

            ModelSpec(name: "Kling", version: "2.1", dialects: d, maxReferenceImages: 4, resolutions: ["1K", "2K"],
                      defaultResolution: "1K", aspectRatios: kling, outputImageCounts: 1...9),
            ModelSpec(name: "Kling", version: "O1", dialects: d, maxReferenceImages: 10, resolutions: ["1K", "2K", "4K"],
                      defaultResolution: "1K", aspectRatios: kling, outputImageCounts: 1...9),
            ModelSpec(name: "Kling", version: "3.0", dialects: d, maxReferenceImages: 1, resolutions: ["1K", "2K"],
                      defaultResolution: "1K", aspectRatios: kling, outputImageCounts: 1...9),
            ModelSpec(name: "Kling", version: "3.0-Omni", dialects: d, maxReferenceImages: 10, resolutions: ["1K", "2K", "4K"],
                      defaultResolution: "1K", aspectRatios: kling, outputImageCounts: 1...9),

            // MPS does not list MJ's reference limit; VOD's 3 is used.
            ModelSpec(name: "MJ", version: "v7", dialects: d, maxReferenceImages: 3, aspectRatioInPrompt: true),

            // Each wand-vega-image reference may be up to 20 MB (5.1); the aspect ratio is undocumented, so none.
            ModelSpec(name: "wand-vega-image", version: "1.0-lite", dialects: d, maxReferenceImages: 10,
                      resolutions: ["1K", "2K", "4K"], defaultResolution: "1K"),
            ModelSpec(name: "wand-vega-image", version: "1.0-flash", dialects: d, maxReferenceImages: 10,
                      resolutions: ["1K", "2K", "4K"], defaultResolution: "1K"),
            ModelSpec(name: "wand-vega-image", version: "1.0-pro", dialects: d, maxReferenceImages: 10,
                      resolutions: ["1K", "2K", "4K"], defaultResolution: "1K"),
        ]
    }()
}
