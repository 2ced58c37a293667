import Foundation

/// The constraints on an explicit output size (`AdditionalParameters.size`), per tencent-api.md 4.4 and 5.1.
public struct SizeRule: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Range each of width and height must fall in, if the docs bound the sides.
    public var sideRange: ClosedRange<Int>?
    /// Range of width × height.
    public var pixelRange: ClosedRange<Int>
    /// Each side must be a multiple of this (1 = any).
    public var sideMultiple: Int
    /// How the docs write a size for this model: `x`, or `*` for Qwen (`728*1024`).
    public var separator: String

    /// Creates a rule.
    public init(sideRange: ClosedRange<Int>? = nil, pixelRange: ClosedRange<Int>, sideMultiple: Int = 1,
                separator: String = "x") {
        self.sideRange = sideRange
        self.pixelRange = pixelRange
        self.sideMultiple = max(1, sideMultiple)
        self.separator = separator
    }

    /// Hunyuan 3.0: each side in [512, 2048] and w×h ≤ 1024×1024.
    public static let hunyuan = SizeRule(sideRange: 512...2048, pixelRange: 1...1_048_576)
    /// OG: each side divisible by 16, total pixels 655,360…8,294,400.
    public static let og = SizeRule(pixelRange: 655_360...8_294_400, sideMultiple: 16)
    /// SI 4.0: total pixels [1280×720, 4096×4096].
    public static let si40 = SizeRule(pixelRange: 921_600...16_777_216)
    /// SI 4.5: total pixels [2560×1440, 4096×4096].
    public static let si45 = SizeRule(pixelRange: 3_686_400...16_777_216)
    /// SI 5.0-lite: total pixels [2560×1440, 3072×3072×1.1025].
    public static let si50Lite = SizeRule(pixelRange: 3_686_400...10_404_496)
    /// Qwen 0925: total pixels [261,632 (sic, as documented), 2048×2048], written `728*1024`.
    public static let qwen = SizeRule(pixelRange: 261_632...4_194_304, separator: "*")

    /// Why `size` breaks the rule, or nil when it is allowed.
    public func violation(of size: PixelSize) -> String? {
        if let sides = sideRange, !sides.contains(size.width) || !sides.contains(size.height) {
            return "each side must be in \(sides.lowerBound)–\(sides.upperBound), got \(written(size))"
        }
        if sideMultiple > 1, size.width % sideMultiple != 0 || size.height % sideMultiple != 0 {
            return "each side must be divisible by \(sideMultiple), got \(written(size))"
        }
        if !pixelRange.contains(size.pixels) {
            return "width×height must be \(pixelsText), got \(size.pixels) (\(written(size)))"
        }
        return nil
    }

    /// The allowed sizes in words, for error messages.
    public var description: String {
        var parts: [String] = []
        if let sides = sideRange { parts.append("each side in \(sides.lowerBound)–\(sides.upperBound)") }
        if sideMultiple > 1 { parts.append("each side divisible by \(sideMultiple)") }
        parts.append("width×height \(pixelsText)")
        return parts.joined(separator: ", ") + " (written like \(written(PixelSize(width: 1024, height: 1024))))"
    }

    /// `size` in the model's own notation.
    public func written(_ size: PixelSize) -> String { "\(size.width)\(separator)\(size.height)" }

    private var pixelsText: String {
        pixelRange.lowerBound <= 1 ? "at most \(pixelRange.upperBound)"
            : "between \(pixelRange.lowerBound) and \(pixelRange.upperBound)"
    }

    /// The allowed size nearest to `size` in shape and area: `size` itself when allowed, else scaled into the pixel
    /// range, clamped to the side range and rounded to the side multiple (8 when the rule has none, for tidy sizes).
    /// Nil when no nearby size satisfies the rule.
    public func fitted(_ size: PixelSize) -> PixelSize? {
        if violation(of: size) == nil { return size }
        let ratio = Double(size.width) / Double(size.height)
        let area = min(max(Double(size.pixels), Double(pixelRange.lowerBound)), Double(pixelRange.upperBound))
        var width = (area * ratio).squareRoot()
        var height = (area / ratio).squareRoot()
        if let sides = sideRange {
            width = min(max(width, Double(sides.lowerBound)), Double(sides.upperBound))
            height = min(max(height, Double(sides.lowerBound)), Double(sides.upperBound))
            // Clamping one side changes the area; give the other side what the pixel range still allows.
            if width * height > Double(pixelRange.upperBound) {
                if width >= height { width = Double(pixelRange.upperBound) / height } else { height = Double(pixelRange.upperBound) / width }
            }
        }
        let step = sideMultiple > 1 ? sideMultiple : 8
        let candidates = roundings(width, step: step).flatMap { w in
            roundings(height, step: step).map { PixelSize(width: w, height: $0) }
        }
        func cost(_ candidate: PixelSize) -> Double {
            let shape = abs(log(Double(candidate.width) / Double(candidate.height)) - log(ratio))
            return shape * 10 + abs(log(Double(candidate.pixels) / area))
        }
        return candidates.filter { violation(of: $0) == nil }.min { cost($0) < cost($1) }
    }

    private func roundings(_ value: Double, step: Int) -> [Int] {
        let down = max(step, Int(value / Double(step)) * step)
        return [down, down + step]
    }
}
