import Foundation

/// Layer normalisation over the last axis of contiguous `[rows, columns]` buffers, PyTorch
/// semantics (biased variance, `epsilon` inside the square root).
///
/// PLACEHOLDER: straightforward loops until the vectorised kernels land.
public enum LayerNormalization {
    /// `output = (x − mean) · rstd · weight + bias`; writes `mean[rows]` and `rstd[rows]` for backward.
    public static func forward(rows: Int, columns: Int, input: UnsafePointer<Float>,
                               weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, epsilon: Float,
                               output: UnsafeMutablePointer<Float>,
                               mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let x = input + r * columns, y = output + r * columns
            var s: Double = 0
            for c in 0..<columns { s += Double(x[c]) }
            let mu = s / Double(columns)
            var v: Double = 0
            for c in 0..<columns { let d = Double(x[c]) - mu; v += d * d }
            let inv = Float(1 / (v / Double(columns) + Double(epsilon)).squareRoot())
            let m = Float(mu)
            mean[r] = m; rstd[r] = inv
            for c in 0..<columns {
                var h = (x[c] - m) * inv
                if let weight { h *= weight[c] }
                if let bias { h += bias[c] }
                y[c] = h
            }
        }
    }

    /// Gradients from the forward's `mean`/`rstd`. `gradInput` is overwritten; `gradWeight` and
    /// `gradBias` (length `columns`) are overwritten when given.
    public static func backward(rows: Int, columns: Int, input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>?, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                                gradInput: UnsafeMutablePointer<Float>,
                                gradWeight: UnsafeMutablePointer<Float>?, gradBias: UnsafeMutablePointer<Float>?) {
        gradWeight?.update(repeating: 0, count: columns)
        gradBias?.update(repeating: 0, count: columns)
        let n = Float(columns)
        for r in 0..<rows {
            let x = input + r * columns, g = gradOutput + r * columns, d = gradInput + r * columns
            let m = mean[r], inv = rstd[r]
            var sumG: Float = 0, sumGH: Float = 0
            for c in 0..<columns {
                let h = (x[c] - m) * inv
                let gh = g[c] * (weight?[c] ?? 1)
                sumG += gh; sumGH += gh * h
                gradWeight?[c] += g[c] * h
                gradBias?[c] += g[c]
            }
            for c in 0..<columns {
                let h = (x[c] - m) * inv
                let gh = g[c] * (weight?[c] ?? 1)
                d[c] = inv * (gh - sumG / n - h * sumGH / n)
            }
        }
    }
}
