/// Bilinear resampling of every plane of an NCHW buffer, PyTorch's `interpolate(mode:
/// "bilinear", align_corners: false)` (no antialiasing).
package enum BilinearResize {
    /// Source position of output index `i`: pixel centres aligned, clamped at 0 as PyTorch does.
    @inline(__always)
    static func source(_ i: Int, input n: Int, output m: Int) -> (Int, Int, Float) {
        let scale = Float(n) / Float(m)
        let s = Swift.max(scale * (Float(i) + 0.5) - 0.5, 0)
        let i0 = Swift.min(Int(s), n - 1)
        let i1 = Swift.min(i0 + 1, n - 1)
        return (i0, i1, s - Float(i0))
    }

    package static func forward(planes: Int, height h: Int, width w: Int, outputHeight oh: Int, outputWidth ow: Int,
                               input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let rows = (0..<oh).map { source($0, input: h, output: oh) }
        let cols = (0..<ow).map { source($0, input: w, output: ow) }
        Parallel.forEach(count: planes) { p in
            let x = input + p * h * w, y = output + p * oh * ow
            for i in 0..<oh {
                let (r0, r1, ly) = rows[i]
                for j in 0..<ow {
                    let (c0, c1, lx) = cols[j]
                    let top = (1 - lx) * x[r0 * w + c0] + lx * x[r0 * w + c1]
                    let bottom = (1 - lx) * x[r1 * w + c0] + lx * x[r1 * w + c1]
                    y[i * ow + j] = (1 - ly) * top + ly * bottom
                }
            }
        }
    }

    /// The transpose of `forward` (overwrites `gradInput`).
    package static func backward(planes: Int, height h: Int, width w: Int, outputHeight oh: Int, outputWidth ow: Int,
                                gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>) {
        let rows = (0..<oh).map { source($0, input: h, output: oh) }
        let cols = (0..<ow).map { source($0, input: w, output: ow) }
        Parallel.forEach(count: planes) { p in
            let g = gradOutput + p * oh * ow, d = gradInput + p * h * w
            d.update(repeating: 0, count: h * w)
            for i in 0..<oh {
                let (r0, r1, ly) = rows[i]
                for j in 0..<ow {
                    let (c0, c1, lx) = cols[j]
                    let v = g[i * ow + j]
                    d[r0 * w + c0] += (1 - ly) * (1 - lx) * v
                    d[r0 * w + c1] += (1 - ly) * lx * v
                    d[r1 * w + c0] += ly * (1 - lx) * v
                    d[r1 * w + c1] += ly * lx * v
                }
            }
        }
    }
}
