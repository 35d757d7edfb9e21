/// Layer normalisation over the last axis of contiguous `[rows, columns]` buffers, PyTorch
/// semantics (biased variance, `epsilon` inside the square root). `SIMD16<Float>` within a row,
/// rows spread over threads.
///
/// ```swift
/// // Swin tokens [4096, 96]
/// LayerNormalization.forward(rows: 4096, columns: 96, input: x, weight: w, bias: b, epsilon: 1e-5,
///                            output: y, mean: mean, rstd: rstd)
/// ```
package enum LayerNormalization {
    typealias Vector = VectorMath.Vector

    /// `output = (x − mean) · rstd · weight + bias`; writes `mean[rows]` and `rstd[rows]` for backward.
    package static func forward(rows: Int, columns: Int, input: UnsafePointer<Float>,
                               weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, epsilon: Float,
                               output: UnsafeMutablePointer<Float>,
                               mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>) {
        guard columns > 0 else { return }
        let out = SharedPointer(output), meanOut = SharedPointer(mean), rstdOut = SharedPointer(rstd)
        Parallel.forRanges(count: rows, minimumPerThread: max(1, 16_384 / columns)) { range in
            for r in range {
                // Two passes (mean, then centred squares summed in double: one-pass E[x²] − E[x]²
                // cancels badly, and float sums of the squares made SMART's gradients depend on the
                // lane count), then the normalisation; C, at the active kernel level.
                KernelDispatch.layerNormRow(input + r * columns, weight, bias, columns, epsilon,
                                            out.base + r * columns, meanOut.base + r, rstdOut.base + r)
            }
        }
    }

    /// Gradients from the forward's `mean`/`rstd`. `gradInput` is overwritten; `gradWeight` and
    /// `gradBias` (length `columns`) are overwritten when given.
    ///
    /// `gradWeight` and `gradBias` sum over rows: each thread sums its rows into its own
    /// partial vector and the partials are added in thread order, so results are reproducible
    /// for a given thread count.
    package static func backward(rows: Int, columns: Int, input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>?, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                                gradInput: UnsafeMutablePointer<Float>,
                                gradWeight: UnsafeMutablePointer<Float>?, gradBias: UnsafeMutablePointer<Float>?) {
        guard columns > 0 else { return }
        let parts = max(1, min(Parallel.threadCount, rows * columns / 16_384))
        let gradIn = SharedPointer(gradInput)
        let n = Float(columns), vectorEnd = columns / 16 * 16
        // partials: [parts, 2, columns] — Σ g·h and Σ g per thread.
        ScratchBuffers.with(count: parts * 2 * columns) { partialsPointer in
            partialsPointer.update(repeating: 0, count: parts * 2 * columns)
            let partials = SharedPointer(partialsPointer)
            Parallel.forRanges(count: parts, threads: parts) { partRange in
                for part in partRange {
                    let gh = partials.base + part * 2 * columns, gs = gh + columns
                    for r in (rows * part / parts)..<(rows * (part + 1) / parts) {
                        let x = input + r * columns, g = gradOutput + r * columns, d = gradIn.base + r * columns
                        let m = mean[r], inv = rstd[r]
                        // Σ g·w and Σ g·w·h over the row, and the weight and bias partials: fused
                        // multiply-adds in C (the input gradient below cancels these sums heavily).
                        var sums: (Float, Float) = (0, 0)
                        withUnsafeMutablePointer(to: &sums) { pointer in
                            pointer.withMemoryRebound(to: Float.self, capacity: 2) { sumsPointer in
                                KernelDispatch.layerNormGradientSums(x, g, weight, m, inv, columns, gh, gs, sumsPointer)
                            }
                        }
                        let (sumG, sumGH) = sums
                        let meanG = sumG / n, meanGH = sumGH / n
                        for c in stride(from: 0, to: vectorEnd, by: 16) {
                            let h = (VectorMath.load(x + c) - m) * inv, gv = VectorMath.load(g + c)
                            let gw = weight.map { gv * VectorMath.load($0 + c) } ?? gv
                            VectorMath.store((gw - meanG - h * meanGH) * inv, d + c)
                        }
                        for c in vectorEnd..<columns {
                            let h = (x[c] - m) * inv, gw = g[c] * (weight?[c] ?? 1)
                            d[c] = inv * (gw - meanG - h * meanGH)
                        }
                    }
                }
            }
            for (target, offset) in [(gradWeight, 0), (gradBias, columns)] {
                guard let target else { continue }
                target.update(from: partialsPointer + offset, count: columns)
                for part in 1..<parts {
                    let partial = partialsPointer + part * 2 * columns + offset
                    for c in 0..<columns { target[c] += partial[c] }
                }
            }
        }
    }
}
