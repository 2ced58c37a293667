/// Scene parameters in integer fixed point. Colours are 8.8 fixed point (0...65280); falloff
/// factors are 16-bit fractions computed with a precomputed reciprocal instead of a division.
struct SandboxScene: Sendable {
    /// A soft disc (or, for bands, a soft stripe) whose opacity falls off as (1 - d²/r²)².
    struct Shape: Sendable {
        var cx = 0, cy = 0, ux = 0, uy = 0, center = 0  // disc centre, or band normal and offset
        var r2 = 1, inv = 0, opacity = 0
        var red = 0, green = 0, blue = 0

        mutating func setColor(_ rgb: [Int]) {
            (red, green, blue) = (rgb[0], rgb[1], rgb[2])
        }
    }

    let width, height: Int
    let corners: [[Int]]  // top-left, top-right, bottom-left, bottom-right
    let discs: [Shape]
    let bands: [Shape]
    let scale, plateX, plateY, plateW, plateH, pad: Int

    /// 5×7 glyphs for "SANDBOX", one 5-bit row mask per line, most significant bit leftmost.
    static let label: [[Int]] = [
        [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E], [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        [0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x11], [0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E],
        [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E], [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
    ]

    init(width: Int, height: Int, rng: inout SandboxRandom) {
        self.width = width
        self.height = height
        let baseHue = rng.unit()
        let schemes: [[Double]] = [[0, 0.06, 0.12, 0.5], [0, 0.33, 0.67, 0.15],
                                   [0, 0.45, 0.55, 0.08], [0, 0.1, 0.2, 0.3]]
        let hues = schemes[rng.int(0...3)].map { baseHue + $0 }
        // One dark, two mid and one light corner, rotated, so every gradient has some contrast.
        let brightness: [ClosedRange<Double>] = [0.2...0.45, 0.5...0.8, 0.75...0.95, 0.5...0.8]
        let rotation = rng.int(0...3)
        corners = (0..<4).map { i in
            Self.hsv(hues[i] + rng.unit(-0.03...0.03), rng.unit(0.35...0.75), rng.unit(brightness[(i + rotation) % 4]))
        }
        let size = Double(width * height).squareRoot()
        discs = (0..<rng.int(3...6)).map { _ in
            var s = Shape()
            s.cx = Int(rng.unit(-0.15...1.15) * Double(width))
            s.cy = Int(rng.unit(-0.15...1.15) * Double(height))
            let r = max(2, Int(rng.unit(0.15...0.5) * size))
            s.r2 = r * r
            s.inv = (1 << 56) / s.r2
            s.opacity = Int(rng.unit(0.45...0.9) * 256)
            s.setColor(Self.hsv(hues[rng.int(0...3)] + rng.unit(-0.04...0.04), rng.unit(0.5...0.95), rng.unit(0.6...1)))
            return s
        }
        let directions = [(256, 0), (237, 98), (181, 181), (98, 237), (0, 256), (-98, 237), (-181, 181), (-237, 98)]
        bands = (0..<rng.int(1...2)).map { _ in
            var s = Shape()
            (s.ux, s.uy) = directions[rng.int(0...7)]
            s.center = s.ux * Int(rng.unit() * Double(width)) + s.uy * Int(rng.unit() * Double(height))
            let half = max(256, Int(rng.unit(0.03...0.1) * size * 256))
            s.r2 = half * half
            s.inv = (1 << 56) / s.r2
            s.opacity = Int(rng.unit(0.2...0.45) * 256)
            s.setColor(Self.hsv(hues[rng.int(0...3)], rng.unit(0.2...0.6), rng.unit(0.85...1)))
            return s
        }
        scale = max(1, min(width, height) / 320)
        pad = 2 * scale
        plateW = (Self.label.count * 6 - 1) * scale + 2 * pad
        plateH = 7 * scale + 2 * pad
        plateX = width - pad - plateW
        plateY = height - pad - plateH
    }

    /// Fills `row` (4 channels per pixel, 8.8 fixed point, premultiplied when transparent).
    func renderRow(_ y: Int, into row: UnsafeMutablePointer<Int>, transparent: Bool) {
        if transparent {
            row.update(repeating: 0, count: width * 4)
        } else {
            fillGradient(y, into: row)
        }
        // Both shapes are "opacity grows with r² − q(x)" where q(x) = (slope·x + offset)² + base.
        for d in discs {
            let dy2 = (y - d.cy) * (y - d.cy)
            guard dy2 < d.r2 else { continue }
            let half = Int(Double(d.r2 - dy2).squareRoot()) + 1
            shadeSpan(row, from: d.cx - half, to: d.cx + half, d, slope: 1, offset: -d.cx, base: dy2, transparent)
        }
        for b in bands {
            let offset = b.uy * y - b.center
            if b.ux == 0 {
                if offset * offset < b.r2 {
                    shadeSpan(row, from: 0, to: width - 1, b, slope: 0, offset: offset, base: 0, transparent)
                }
            } else {
                // Solve |ux·x + offset| < half for x, widened by one pixel against rounding.
                let half = Int(Double(b.r2).squareRoot())
                let lo = (-half - offset) / b.ux, hi = (half - offset) / b.ux
                shadeSpan(row, from: (lo < hi ? lo : hi) - 1, to: (lo < hi ? hi : lo) + 1, b,
                          slope: b.ux, offset: offset, base: 0, transparent)
            }
        }
        drawLabel(y, into: row, transparent)
    }

    private func fillGradient(_ y: Int, into row: UnsafeMutablePointer<Int>) {
        let ty = height > 1 ? (y << 16) / (height - 1) : 0
        var acc = [0, 0, 0], step = [0, 0, 0]
        for c in 0..<3 {
            let left = corners[0][c] + (((corners[2][c] - corners[0][c]) * ty) >> 16)
            let right = corners[1][c] + (((corners[3][c] - corners[1][c]) * ty) >> 16)
            acc[c] = left << 16
            step[c] = width > 1 ? ((right - left) << 16) / (width - 1) : 0
        }
        var r = acc[0], g = acc[1], b = acc[2]
        let dr = step[0], dg = step[1], db = step[2]
        var x = 0
        while x < width {
            let p = row + x * 4
            p[0] = r >> 16; p[1] = g >> 16; p[2] = b >> 16; p[3] = 65280
            r += dr; g += dg; b += db
            x += 1
        }
    }

    /// Blends `shape` over pixels `from...to` (clipped) with opacity (f/r²)²·shape.opacity,
    /// where f = r² − (slope·x + offset)² − base. Written out inline because this is the hot loop.
    private func shadeSpan(_ row: UnsafeMutablePointer<Int>, from: Int, to: Int, _ shape: Shape,
                           slope: Int, offset: Int, base: Int, _ transparent: Bool) {
        var x = from > 0 ? from : 0
        let end = to < width - 1 ? to : width - 1
        let r2 = shape.r2, inv = shape.inv, opacity = shape.opacity
        let red = shape.red, green = shape.green, blue = shape.blue
        while x <= end {
            let q = slope * x + offset
            let falloff = r2 - q * q - base
            if falloff > 0 {
                let t = (falloff * inv) >> 40  // 0...65536
                let a = (((t * t) >> 16) * opacity) >> 16  // 0...256
                let p = row + x * 4
                p[0] += ((red - p[0]) * a) >> 8
                p[1] += ((green - p[1]) * a) >> 8
                p[2] += ((blue - p[2]) * a) >> 8
                if transparent { p[3] += ((65280 - p[3]) * a) >> 8 }
            }
            x += 1
        }
    }

    /// Source-over with straight source colour; correct for premultiplied destinations too.
    private func mix(_ p: UnsafeMutablePointer<Int>, _ r: Int, _ g: Int, _ b: Int, _ a: Int, _ transparent: Bool) {
        p[0] += ((r - p[0]) * a) >> 8
        p[1] += ((g - p[1]) * a) >> 8
        p[2] += ((b - p[2]) * a) >> 8
        if transparent { p[3] += ((65280 - p[3]) * a) >> 8 }
    }

    private func drawLabel(_ y: Int, into row: UnsafeMutablePointer<Int>, _ transparent: Bool) {
        guard y >= plateY, y < plateY + plateH else { return }
        var x = max(0, plateX)
        let plateEnd = min(width, plateX + plateW)
        while x < plateEnd {
            mix(row + x * 4, 18 << 8, 18 << 8, 22 << 8, 176, transparent)
            x += 1
        }
        let glyphRow = (y - plateY - pad) / scale
        guard y >= plateY + pad, glyphRow < 7 else { return }
        for (i, glyph) in Self.label.enumerated() {
            for col in 0..<5 where glyph[glyphRow] & (0x10 >> col) != 0 {
                let left = plateX + pad + (i * 6 + col) * scale
                var x = max(0, left)
                let end = min(width, left + scale)
                while x < end {
                    mix(row + x * 4, 245 << 8, 245 << 8, 245 << 8, 256, transparent)
                    x += 1
                }
            }
        }
    }

    /// HSV (hue wraps) to 8.8 fixed-point RGB, using only exact arithmetic so results are portable.
    static func hsv(_ hue: Double, _ s: Double, _ v: Double) -> [Int] {
        let h = (hue - hue.rounded(.down)) * 6
        let sector = min(5, Int(h)), f = h - Double(sector)
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        let rgb: (Double, Double, Double) = switch sector {
        case 0: (v, t, p)
        case 1: (q, v, p)
        case 2: (p, v, t)
        case 3: (p, q, v)
        case 4: (t, p, v)
        default: (v, p, q)
        }
        return [rgb.0, rgb.1, rgb.2].map { Int(($0 * 255).rounded()) << 8 }
    }
}
