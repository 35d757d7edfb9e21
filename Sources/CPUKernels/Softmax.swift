import Foundation

/// Row-wise softmax and log-softmax on contiguous `[rows, columns]` buffers.
///
/// PLACEHOLDER: straightforward loops until the vectorised kernels land.
public enum Softmax {
    /// `output[r, :] = softmax(input[r, :])`. `output` may alias `input`.
    public static func forward(rows: Int, columns: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let x = input + r * columns, y = output + r * columns
            var m = -Float.infinity
            for c in 0..<columns { m = max(m, x[c]) }
            var s: Float = 0
            for c in 0..<columns { let e = expf(x[c] - m); y[c] = e; s += e }
            let inv = 1 / s
            for c in 0..<columns { y[c] *= inv }
        }
    }

    /// `gradInput = y ⊙ (gradOutput − Σ gradOutput ⊙ y)` per row, from the forward's `output` y.
    public static func backward(rows: Int, columns: Int, output: UnsafePointer<Float>,
                                gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let y = output + r * columns, g = gradOutput + r * columns, d = gradInput + r * columns
            var dot: Float = 0
            for c in 0..<columns { dot += g[c] * y[c] }
            for c in 0..<columns { d[c] = y[c] * (g[c] - dot) }
        }
    }

    /// `output[r, :] = log_softmax(input[r, :])`. `output` may alias `input`.
    public static func logForward(rows: Int, columns: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let x = input + r * columns, y = output + r * columns
            var m = -Float.infinity
            for c in 0..<columns { m = max(m, x[c]) }
            var s: Float = 0
            for c in 0..<columns { s += expf(x[c] - m) }
            let lse = m + logf(s)
            for c in 0..<columns { y[c] = x[c] - lse }
        }
    }

    /// `gradInput = gradOutput − exp(y) · Σ gradOutput` per row, from the forward's `output` y.
    public static func logBackward(rows: Int, columns: Int, output: UnsafePointer<Float>,
                                   gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let y = output + r * columns, g = gradOutput + r * columns, d = gradInput + r * columns
            var s: Float = 0
            for c in 0..<columns { s += g[c] }
            for c in 0..<columns { d[c] = g[c] - expf(y[c]) * s }
        }
    }
}
