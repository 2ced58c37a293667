/// Floating-point AAN forward DCT (as in libjpeg's jfdctflt.c); output is scaled by the
/// factors folded into the quantiser divisors.
enum JPEGDCT {
    static func forward(_ d: UnsafeMutablePointer<Float>) {
        var i = 0
        while i < 8 {
            pass(d + i * 8, step: 1)
            i += 1
        }
        i = 0
        while i < 8 {
            pass(d + i, step: 8)
            i += 1
        }
    }

    private static func pass(_ p: UnsafeMutablePointer<Float>, step s: Int) {
        let tmp0 = p[0] + p[7 * s], tmp7 = p[0] - p[7 * s]
        let tmp1 = p[s] + p[6 * s], tmp6 = p[s] - p[6 * s]
        let tmp2 = p[2 * s] + p[5 * s], tmp5 = p[2 * s] - p[5 * s]
        let tmp3 = p[3 * s] + p[4 * s], tmp4 = p[3 * s] - p[4 * s]
        // Even part.
        let tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3
        let tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2
        p[0] = tmp10 + tmp11
        p[4 * s] = tmp10 - tmp11
        let z1 = (tmp12 + tmp13) * 0.707106781
        p[2 * s] = tmp13 + z1
        p[6 * s] = tmp13 - z1
        // Odd part.
        let o10 = tmp4 + tmp5, o11 = tmp5 + tmp6, o12 = tmp6 + tmp7
        let z5 = (o10 - o12) * 0.382683433
        let z2 = 0.541196100 * o10 + z5
        let z4 = 1.306562965 * o12 + z5
        let z3 = o11 * 0.707106781
        let z11 = tmp7 + z3, z13 = tmp7 - z3
        p[5 * s] = z13 + z2
        p[3 * s] = z13 - z2
        p[s] = z11 + z4
        p[7 * s] = z11 - z4
    }
}
