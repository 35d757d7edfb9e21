import Foundation

/// Row-wise softmax and log-softmax on contiguous `[rows, columns]` buffers, vectorised within a
/// row (`VectorMath.shiftedExponentials`), rows spread over threads.
///
/// ```swift
/// Softmax.forward(rows: heads * tokens, columns: tokens, input: scores, output: scores)
/// ```
package enum Softmax {
    typealias Vector = VectorMath.Vector

    /// `output[r, :] = softmax(input[r, :])`. `output` may alias `input`.
    package static func forward(rows: Int, columns: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let out = SharedPointer(output)
        forRows(rows, columns) { r in
            let x = input + r * columns, y = out.base + r * columns
            let m = maximum(x, columns)
            let sum = VectorMath.shiftedExponentials(x, y, count: columns, shift: m)
            scale(y, columns, by: 1 / sum)
        }
    }

    /// `gradInput = y ⊙ (gradOutput − Σ gradOutput ⊙ y)` per row, from the forward's `output` y.
    package static func backward(rows: Int, columns: Int, output: UnsafePointer<Float>,
                                gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>) {
        let gradIn = SharedPointer(gradInput)
        forRows(rows, columns) { r in
            let y = output + r * columns, g = gradOutput + r * columns, d = gradIn.base + r * columns
            // Fused multiply-adds (C): y·g cancels against the rows' values, as in PyTorch's kernel.
            let dot = KernelDispatch.dotProduct(g, y, columns)
            var c = 0
            while c + 16 <= columns {
                VectorMath.store(VectorMath.load(y + c) * (VectorMath.load(g + c) - dot), d + c); c += 16
            }
            for t in c..<columns { d[t] = y[t] * (g[t] - dot) }
        }
    }

    /// `output[r, :] = log_softmax(input[r, :])`. `output` may alias `input`.
    package static func logForward(rows: Int, columns: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let out = SharedPointer(output)
        forRows(rows, columns) { r in
            let x = input + r * columns, y = out.base + r * columns
            let m = maximum(x, columns)
            let sum = VectorMath.shiftedExponentials(x, nil, count: columns, shift: m)
            let logSum = m + Foundation.log(sum)
            var c = 0
            while c + 16 <= columns { VectorMath.store(VectorMath.load(x + c) - logSum, y + c); c += 16 }
            for t in c..<columns { y[t] = x[t] - logSum }
        }
    }

    /// `gradInput = gradOutput − exp(y) · Σ gradOutput` per row, from the forward's `output` y.
    package static func logBackward(rows: Int, columns: Int, output: UnsafePointer<Float>,
                                   gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>) {
        let gradIn = SharedPointer(gradInput)
        forRows(rows, columns) { r in
            let y = output + r * columns, g = gradOutput + r * columns, d = gradIn.base + r * columns
            var sumVector = Vector()
            var c = 0
            while c + 16 <= columns { sumVector += VectorMath.load(g + c); c += 16 }
            var s = VectorMath.sum(sumVector)
            for t in c..<columns { s += g[t] }
            // exp(y) in chunks through a small buffer: `gradInput` may alias `gradOutput`.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 256) { chunk in
                let e = chunk.baseAddress!
                var start = 0
                while start < columns {
                    let count = min(256, columns - start)
                    _ = VectorMath.shiftedExponentials(y + start, e, count: count, shift: 0)
                    for t in 0..<count { d[start + t] = g[start + t] - s * e[t] }
                    start += count
                }
            }
        }
    }

    /// Rows in contiguous blocks per thread; a block is at least ~16K elements so that small
    /// inputs stay on one thread.
    @inline(__always)
    private static func forRows(_ rows: Int, _ columns: Int, _ body: (Int) -> Void) {
        Parallel.forRanges(count: rows, minimumPerThread: max(1, 16_384 / max(1, columns))) { range in
            for r in range { body(r) }
        }
    }

    @inline(__always)
    private static func maximum(_ x: UnsafePointer<Float>, _ columns: Int) -> Float {
        var m = Vector(repeating: -.infinity)
        var c = 0
        while c + 16 <= columns { m = VectorMath.maximum(m, VectorMath.load(x + c)); c += 16 }
        var result = VectorMath.max(m)
        for t in c..<columns { result = Swift.max(result, x[t]) }
        return result
    }

    @inline(__always)
    private static func scale(_ y: UnsafeMutablePointer<Float>, _ columns: Int, by factor: Float) {
        var c = 0
        while c + 16 <= columns { VectorMath.store(VectorMath.load(y + c) * factor, y + c); c += 16 }
        for t in c..<columns { y[t] *= factor }
    }
}
