/// Average pooling on every plane of an NCHW buffer.
package enum Pooling {
    /// PyTorch's adaptive-pool window along one axis: `[⌊i·n/m⌋, ⌈(i+1)·n/m⌉)`.
    @inline(__always)
    static func window(_ i: Int, input n: Int, output m: Int) -> Range<Int> {
        (i * n) / m ..< ((i + 1) * n + m - 1) / m
    }

    /// `output [planes, oh, ow]` = adaptive average of `input [planes, h, w]` (overwrites).
    package static func adaptiveAverageForward(planes: Int, height h: Int, width w: Int, outputHeight oh: Int, outputWidth ow: Int,
                                              input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        Parallel.forEach(count: planes) { p in
            let x = input + p * h * w, y = output + p * oh * ow
            for i in 0..<oh {
                let rows = window(i, input: h, output: oh)
                for j in 0..<ow {
                    let cols = window(j, input: w, output: ow)
                    var s: Float = 0
                    for r in rows { for c in cols { s += x[r * w + c] } }
                    y[i * ow + j] = s / Float(rows.count * cols.count)
                }
            }
        }
    }

    /// The transpose of `adaptiveAverageForward`: spreads each output gradient evenly over its
    /// window (overwrites `gradInput`).
    package static func adaptiveAverageBackward(planes: Int, height h: Int, width w: Int, outputHeight oh: Int, outputWidth ow: Int,
                                               gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>) {
        Parallel.forEach(count: planes) { p in
            let g = gradOutput + p * oh * ow, d = gradInput + p * h * w
            d.update(repeating: 0, count: h * w)
            for i in 0..<oh {
                let rows = window(i, input: h, output: oh)
                for j in 0..<ow {
                    let cols = window(j, input: w, output: ow)
                    let share = g[i * ow + j] / Float(rows.count * cols.count)
                    for r in rows { for c in cols { d[r * w + c] += share } }
                }
            }
        }
    }

    /// `output` = average over `kernel`×`kernel` windows moved by `stride` (no padding, floor mode).
    package static func averageForward(planes: Int, height h: Int, width w: Int, kernel: Int, stride: Int,
                                      input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let oh = (h - kernel) / stride + 1, ow = (w - kernel) / stride + 1
        let scale = 1 / Float(kernel * kernel)
        Parallel.forEach(count: planes) { p in
            let x = input + p * h * w, y = output + p * oh * ow
            for i in 0..<oh {
                for j in 0..<ow {
                    var s: Float = 0
                    for r in 0..<kernel { for c in 0..<kernel { s += x[(i * stride + r) * w + j * stride + c] } }
                    y[i * ow + j] = s * scale
                }
            }
        }
    }

    /// The transpose of `averageForward` (overwrites `gradInput`).
    package static func averageBackward(planes: Int, height h: Int, width w: Int, kernel: Int, stride: Int,
                                       gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>) {
        let oh = (h - kernel) / stride + 1, ow = (w - kernel) / stride + 1
        let scale = 1 / Float(kernel * kernel)
        Parallel.forEach(count: planes) { p in
            let g = gradOutput + p * oh * ow, d = gradInput + p * h * w
            d.update(repeating: 0, count: h * w)
            for i in 0..<oh {
                for j in 0..<ow {
                    let share = g[i * ow + j] * scale
                    for r in 0..<kernel { for c in 0..<kernel { d[(i * stride + r) * w + j * stride + c] += share } }
                }
            }
        }
    }
}
