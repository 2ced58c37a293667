/// VOD 2018-07-17 models (tencent-api.md 4.6, the union of the SDK, intl and proxy docs). REST and OpenAI use them too.
extension ModelCatalog {
    static let vodSpecs: [ModelSpec] = {
        let d: Set<Dialect> = [.vod, .rest, .openai]
        let kling = ["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9"]
        return [
            // GEM is the older name of GG; the docs give it the older Resolution list (4.3). 1K is added, as the
            // default, on the UNCONFIRMED assumption that GG is the renamed GEM with identical limits.
            ModelSpec(name: "GEM", version: "2.5", dialects: d, maxReferenceImages: 3, resolutions: gemResolutions,
                      defaultResolution: "1K", aspectRatios: gemRatios, supportsImageText: true),
            ModelSpec(name: "GEM", version: "3.0", dialects: d, maxReferenceImages: 14, resolutions: gemResolutions,
                      defaultResolution: "1K", aspectRatios: gemRatios, supportsImageText: true),

            ModelSpec(name: "GG", version: "2.5", dialects: d, maxReferenceImages: 3, resolutions: ["1K", "2K", "4K"],
                      defaultResolution: "1K", aspectRatios: ggRatios, supportsImageText: true),
            ModelSpec(name: "GG", version: "3.0", dialects: d, maxReferenceImages: 14, resolutions: ["1K", "2K", "4K"],
                      defaultResolution: "1K", aspectRatios: ggRatios, supportsImageText: true),
            ModelSpec(name: "GG", version: "3.1", dialects: d, maxReferenceImages: 14, resolutions: gg31Resolutions,
                      defaultResolution: "1K", aspectRatios: gg31Ratios, supportsImageText: true),
            // UNCONFIRMED: 3.1-lite's limits are undocumented; 3.1's are assumed (14 reference images).
            ModelSpec(name: "GG", version: "3.1-lite", dialects: d, maxReferenceImages: 14, resolutions: gg31Resolutions,
                      defaultResolution: "1K", aspectRatios: gg31Ratios, supportsImageText: true),

            // UNCONFIRMED: OG's reference limit is undocumented; 16 is what OpenAI image edits accept.
            ModelSpec(name: "OG", version: "image2_low", dialects: d, maxReferenceImages: 16, resolutions: ["1K", "2K", "4K"],
                      defaultResolution: "1K", aspectRatios: ogRatios, outputImageCounts: 1...8, sizeRule: .og, supportsMask: true),
            ModelSpec(name: "OG", version: "image2_medium", dialects: d, maxReferenceImages: 16, resolutions: ["1K", "2K", "4K"],
                      defaultResolution: "1K", aspectRatios: ogRatios, outputImageCounts: 1...8, sizeRule: .og, supportsMask: true),
            ModelSpec(name: "OG", version: "image2_high", dialects: d, maxReferenceImages: 16, resolutions: ["1K", "2K", "4K"],
                      defaultResolution: "1K", aspectRatios: ogRatios, outputImageCounts: 1...8, sizeRule: .og, supportsMask: true),

            // SI takes the aspect ratio in the prompt; `sequential_image_generation` counts are prompt-driven too.
            ModelSpec(name: "SI", version: "4.0", dialects: d, maxReferenceImages: 14, resolutions: ["1K", "2K", "4K"],
                      defaultResolution: "1K", aspectRatioInPrompt: true, sizeRule: .si40),
            ModelSpec(name: "SI", version: "4.5", dialects: d, maxReferenceImages: 14, resolutions: ["2K", "4K"],
                      defaultResolution: "2K", aspectRatioInPrompt: true, sizeRule: .si45),
            ModelSpec(name: "SI", version: "5.0-lite", dialects: d, maxReferenceImages: 14, resolutions: ["2K", "3K"],
                      defaultResolution: "2K", aspectRatioInPrompt: true, sizeRule: .si50Lite),

            ModelSpec(name: "Qwen", version: "0925", dialects: d, maxReferenceImages: 1, sizeRule: .qwen),
            // UNCONFIRMED: "Qwen 2.0" is only mentioned in passing; 0925's limits are assumed.
            ModelSpec(name: "Qwen", version: "2.0", dialects: d, maxReferenceImages: 1, sizeRule: .qwen),

            ModelSpec(name: "Hunyuan", version: "3.0", dialects: d, maxReferenceImages: 3, sizeRule: .hunyuan,
                      sceneTypes: ["3d_panorama"]),
            // UNCONFIRMED: 1 reference image for 3d_2.0; 5 for 3.5-preview is the MPS figure (5.1).
            ModelSpec(name: "Hunyuan", version: "3d_2.0", dialects: d, maxReferenceImages: 1, sceneTypes: ["3d_panorama"]),
            ModelSpec(name: "Hunyuan", version: "3.5-preview", dialects: d, maxReferenceImages: 5, sceneTypes: ["3d_panorama"]),

            ModelSpec(name: "Vidu", version: "q2", dialects: d, maxReferenceImages: 7, resolutions: ["1080p", "2K", "4K"],
                      defaultResolution: "1080p", aspectRatios: viduRatios),

            // The docs spell Kling resolutions with a lowercase k.
            ModelSpec(name: "Kling", version: "2.1", dialects: d, maxReferenceImages: 4, resolutions: ["1k", "2k"],
                      defaultResolution: "1k", aspectRatios: kling, outputImageCounts: 1...9, sceneTypes: ["image_expand"]),
            ModelSpec(name: "Kling", version: "3.0", dialects: d, maxReferenceImages: 1, resolutions: ["1k", "2k"],
                      defaultResolution: "1k", aspectRatios: kling, outputImageCounts: 1...9, sceneTypes: ["image_expand"]),
            ModelSpec(name: "Kling", version: "3.0-Omni", dialects: d, maxReferenceImages: 10, resolutions: ["1k", "2k", "4k"],
                      defaultResolution: "1k", aspectRatios: kling + ["auto"], outputImageCounts: 1...9,
                      sceneTypes: ["image_expand"]),
            ModelSpec(name: "Kling", version: "O1", dialects: d, maxReferenceImages: 10, resolutions: ["1k", "2k", "4k"],
                      defaultResolution: "1k", aspectRatios: kling + ["auto"], outputImageCounts: 1...9,
                      sceneTypes: ["image_expand"]),
            // UNCONFIRMED: the `scene` version is undocumented beyond its name; one source image, 2.1's geometry.
            ModelSpec(name: "Kling", version: "scene", dialects: d, maxReferenceImages: 1, resolutions: ["1k", "2k"],
                      defaultResolution: "1k", aspectRatios: kling, outputImageCounts: 1...9, sceneTypes: ["image_expand"]),

            // UNCONFIRMED: 10 reference images (what Seedream/Jimeng accept). Geometry goes in the prompt.
            ModelSpec(name: "Jimeng", version: "4.0", dialects: d, maxReferenceImages: 10, aspectRatioInPrompt: true,
                      resolutionInPrompt: true),
            ModelSpec(name: "MJ", version: "v7", dialects: d, maxReferenceImages: 3, aspectRatioInPrompt: true),
            // UNCONFIRMED: Mingmou is only a name in the SDK's version list; 1 reference image.
            ModelSpec(name: "Mingmou", version: "1.0", dialects: d, maxReferenceImages: 1),
        ]
    }()

    static let ggRatios = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"]
    static let gg31Ratios = ggRatios + ["1:4", "1:8", "4:1", "8:1"]
    static let gg31Resolutions = ["720P", "1K", "2K", "4K"]
    static let gemRatios = ["1:1", "3:2", "2:3", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"]
    static let gemResolutions = [
        "1K", "720P", "1080P", "2K", "4K", "1024x1024", "2048x2048", "2304x1728", "2496x1664", "2560x1440", "3024x1296",
        "4096x4096", "4694x3520", "4992x3328", "5404x3040", "6198x2656",
    ]
    static let ogRatios = ["1:1", "3:2", "2:3", "3:4", "4:3", "16:9", "9:16", "21:9", "9:21"]
    static let viduRatios = ["16:9", "9:16", "1:1", "3:4", "4:3", "21:9", "2:3", "3:2"]
}
