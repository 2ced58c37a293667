import Foundation

/// The pixel size an image will have, derived from the request's size, resolution and aspect ratio.
///
/// - An explicit valid size wins.
/// - `1K`/`2K`/`3K`/`4K` keep the area of 1024², 2048², 3072², 4096² at the aspect ratio, each side rounded to a
///   multiple of 8.
/// - `720P`/`1080P` fix the short side and round the long side to a multiple of 8.
/// - `WxH` resolutions (GEM's older list) are used as given.
/// - The aspect ratio defaults to 1:1 (also for `auto`); models with neither resolution nor size get 1024×1024.
/// - For a model with a size rule, a tier that breaks the rule (OG 4K 1:1 is over 8.3 MP) is fitted to it.
public enum OutputGeometry {
    /// What an image without any geometry hint becomes.
    public static let fallbackSize = PixelSize(width: 1024, height: 1024)

    /// The size the output of `spec` should have for these request fields, which must already be valid.
    public static func outputSize(resolution: String?, aspectRatio: String?, size: PixelSize?, spec: ModelSpec) -> PixelSize {
        if let size { return size }
        let ratio = aspectRatio.flatMap(parseAspectRatio) ?? (1, 1)
        guard let tier = resolution ?? spec.defaultResolution ?? (aspectRatio == nil ? nil : "1K"),
              let computed = pixelSize(resolution: tier, aspectRatio: ratio)
        else { return fallbackSize }
        if let rule = spec.sizeRule, rule.violation(of: computed) != nil, let fitted = rule.fitted(computed) {
            return fitted
        }
        return computed
    }

    /// The size `resolution` gives at `aspectRatio` (width, height), or nil when the resolution is not one of the
    /// forms above.
    public static func pixelSize(resolution: String, aspectRatio: (Int, Int)) -> PixelSize? {
        let text = resolution.trimmingWhitespace().uppercased()
        let (a, b) = aspectRatio
        guard a > 0, b > 0 else { return nil }
        if text.hasSuffix("K"), let n = Int(text.dropLast()), (1...16).contains(n) {
            let area = Double(n * 1024) * Double(n * 1024)
            let ratio = Double(a) / Double(b)
            return PixelSize(width: roundedTo8((area * ratio).squareRoot()), height: roundedTo8((area / ratio).squareRoot()))
        }
        if text.hasSuffix("P"), let short = Int(text.dropLast()), (1...8192).contains(short) {
            let long = roundedTo8(Double(short) * Double(max(a, b)) / Double(min(a, b)))
            return a >= b ? PixelSize(width: long, height: short) : PixelSize(width: short, height: long)
        }
        return PixelSize(parsing: text)
    }

    /// `16:9` → (16, 9); `auto` → (1, 1); nil when malformed.
    public static func parseAspectRatio(_ text: String) -> (Int, Int)? {
        let text = text.trimmingWhitespace()
        if text.lowercased() == "auto" { return (1, 1) }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a > 0, b > 0 else { return nil }
        return (a, b)
    }

    static func roundedTo8(_ value: Double) -> Int {
        max(8, Int((value / 8).rounded()) * 8)
    }
}
