@testable import EaselEngines

extension ResolvedImage {
    /// A sandbox-rendered input image of `width`×`height`, as a test's reference.
    static func rendered(_ prompt: String = "ref", seed: Int64, index: Int = 0, width: Int, height: Int,
                         format: ImageFormat = .png, sourceURL: String? = nil, text: String? = nil,
                         referenceType: String? = nil, transparentBackground: Bool = false) -> ResolvedImage {
        let image = SandboxRenderer().render(prompt: prompt, seed: seed, index: index, width: width, height: height,
                                             format: format, transparentBackground: transparentBackground)
        return ResolvedImage(bytes: image.bytes, info: image.info, sourceURL: sourceURL, text: text, referenceType: referenceType)
    }
}
