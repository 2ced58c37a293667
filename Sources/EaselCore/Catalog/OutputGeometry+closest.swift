import EaselMacros
import Foundation

/// How a requested pixel size is expressed for a model.
@MemberwiseInit
public struct GeometryChoice: Sendable, Equatable {
    /// The supported aspect ratio nearest to the requested shape, if the model takes aspect ratios.
    public var aspectRatio: String?
    /// The supported resolution whose area is nearest, if the model takes resolutions.
    public var resolution: String?
    /// An explicit size: fitted to the model's size rule, or kept as requested for models with no geometry options.
    public var size: PixelSize?
}

extension OutputGeometry {
    /// Maps an OpenAI `size` (`1024x1024`, `1536x1024`, `1792x1024`, …) onto what `spec` takes:
    /// - a model with a size rule gets an explicit size, fitted to the rule (nil size when nothing nearby fits);
    /// - a model with aspect ratios and/or resolutions gets the aspect ratio nearest in value to w:h and the
    ///   resolution whose area at that ratio is nearest (a `WxH` resolution only when it is exactly `size`);
    /// - a model with no geometry options keeps `size` as requested.
    public static func closestResolution(for size: PixelSize, spec: ModelSpec) -> GeometryChoice {
        if let rule = spec.sizeRule { return GeometryChoice(size: rule.fitted(size)) }
        guard spec.aspectRatios != nil || spec.resolutions != nil else { return GeometryChoice(size: size) }
        let wanted = log(Double(size.width) / Double(size.height))
        var choice = GeometryChoice()
        var ratio = (1, 1)
        if let ratios = spec.aspectRatios {
            let parsed = ratios.filter { $0.lowercased() != "auto" }.compactMap { text in
                parseAspectRatio(text).map { (text: text, value: $0) }
            }
            if let best = parsed.min(by: { distance($0.value, wanted) < distance($1.value, wanted) }) {
                choice.aspectRatio = best.text
                ratio = best.value
            }
        }
        if let resolutions = spec.resolutions {
            let sized = resolutions.compactMap { text -> (text: String, size: PixelSize)? in
                guard let candidate = pixelSize(resolution: text, aspectRatio: ratio) else { return nil }
                let explicit = PixelSize(parsing: text) != nil
                return explicit && candidate != size ? nil : (text, candidate)
            }
            choice.resolution = sized.min {
                abs($0.size.pixels - size.pixels) < abs($1.size.pixels - size.pixels)
            }?.text
        }
        return choice
    }

    private static func distance(_ ratio: (Int, Int), _ wanted: Double) -> Double {
        abs(log(Double(ratio.0) / Double(ratio.1)) - wanted)
    }
}
