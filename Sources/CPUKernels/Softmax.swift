import Foundation

/// Row-wise softmax and log-softmax on contiguous `[rows, columns]` buffers, `SIMD16<Float>`
/// within a row (`VectorMath.exp`), rows spread over threads.
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
            // y = exp(x − m), s = Σ y
            var sum = Vector()
            var c = 0
            while c + 16 <= columns {
                let e = VectorMath.exp(VectorMath.load(x + c) - m)
                VectorMath.store(e, y + c); sum += e; c += 16
            }
            if c < columns {
                let e = VectorMath.exp(VectorMath.load(x + c, count: columns - c, padding: -.infinity) - m)
                VectorMath.store(e, y + c, count: columns - c); sum += e
            }
            scale(y, columns, by: 1 / VectorMath.sum(sum))
        }
    }

    /// `gradInput = y ⊙ (gradOutput − Σ gradOutput ⊙ y)` per row, from the forward's `output` y.
    package static func backward(rows: Int, columns: Int, output: UnsafePointer<Float>,
                                gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>) {
        let gradIn = SharedPointer(gradInput)
        forRows(rows, columns) { r in
            let y = output + r * columns, g = gradOutput + r * columns, d = gradIn.base + r * columns
            var dotVector = Vector()
            var c = 0
            while c + 16 <= columns {
                dotVector = dotVector.addingProduct(VectorMath.load(g + c), VectorMath.load(y + c)); c += 16
            }
            var dot = VectorMath.sum(dotVector)
            for t in c..<columns { dot += g[t] * y[t] }
            c = 0
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
            var sum = Vector()
            var c = 0
            while c + 16 <= columns { sum += VectorMath.exp(VectorMath.load(x + c) - m); c += 16 }
            if c < columns {
                sum += VectorMath.exp(VectorMath.load(x + c, count: columns - c, padding: -.infinity) - m)
            }
            let logSum = m + Foundation.log(VectorMath.sum(sum))
            c = 0
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
            c = 0
            while c + 16 <= columns {
                let e = VectorMath.exp(VectorMath.load(y + c))
                VectorMath.store(VectorMath.load(g + c).addingProduct(-s, e), d + c); c += 16
            }
            if c < columns {
                let e = VectorMath.exp(VectorMath.load(y + c, count: columns - c, padding: 0))
                let v = VectorMath.load(g + c, count: columns - c, padding: 0).addingProduct(-s, e)
                VectorMath.store(v, d + c, count: columns - c)
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
