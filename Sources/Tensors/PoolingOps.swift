extension Tensor {
    /// Max pooling of `[N, C, H, W]` with a square `kernel`, `stride` (default: the kernel) and
    /// `padding` (padded cells never win), as `torch.nn.functional.max_pool2d`: output
    /// `⌊(H + 2·padding − kernel) / stride⌋ + 1` per side, or with `ceilMode` (MTCNN's pools)
    /// `⌈…⌉ + 1`, less one when the last window would start in the right padding (PyTorch's
    /// rule); windows running past the edge are clipped.
    ///
    /// The forward pass finds each window's argmax (the first in row-major order on ties, NaN
    /// winning, as PyTorch's CPU kernel) and then gathers those elements, so the gradient goes to
    /// the argmax alone — `gather`'s rule scatters it back — and the op is differentiable any number
    /// of times.
    ///
    /// ```swift
    /// let pooled = features.maxPool2d(kernel: 3, stride: 2)   // AlexNet: [1, 64, 63, 63] → [1, 64, 31, 31]
    /// ```
    public func maxPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false) -> Tensor {
        let stride = stride ?? kernel
        precondition(rank == 4 && kernel >= 1 && stride >= 1 && padding >= 0 && 2 * padding <= kernel,
                     "maxPool2d: input \(shape) with kernel \(kernel), stride \(stride), padding \(padding)")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        func outputSize(_ size: Int) -> Int {
            let span = size + 2 * padding - kernel
            guard ceilMode, span >= 0 else { return span / stride + 1 }
            var out = (span + stride - 1) / stride + 1
            if (out - 1) * stride >= size + padding { out -= 1 }
            return out
        }
        let outH = outputSize(h), outW = outputSize(w)
        precondition(outH > 0 && outW > 0, "maxPool2d: input \(shape) smaller than kernel \(kernel)")
        // A 1×1 window without padding is a strided subsample (the IR-SE shortcut).
        if kernel == 1 && padding == 0 {
            return slice(2, start: 0, end: h, step: stride).slice(3, start: 0, end: w, step: stride)
        }
        // [N·C, outH·outW] flat indices into each H·W plane.
        var argmax = [Int](repeating: 0, count: n * c * outH * outW)
        let x = readData
        argmax.withUnsafeMutableBufferPointer { indices in
            for plane in 0..<(n * c) {
                let source = x + plane * h * w
                for i in 0..<outH {
                    let rows = Swift.max(i * stride - padding, 0)..<Swift.min(i * stride - padding + kernel, h)
                    for j in 0..<outW {
                        let cols = Swift.max(j * stride - padding, 0)..<Swift.min(j * stride - padding + kernel, w)
                        var best = -Float.infinity, bestIndex = rows.lowerBound * w + cols.lowerBound
                        for r in rows {
                            for col in cols {
                                let value = source[r * w + col]
                                if value > best || value.isNaN {
                                    best = value
                                    bestIndex = r * w + col
                                    if value.isNaN { break }
                                }
                            }
                            if best.isNaN { break }
                        }
                        indices[(plane * outH + i) * outW + j] = bestIndex
                    }
                }
            }
        }
        return reshape([n, c, h * w])
            .gather(2, index: argmax, indexShape: [n, c, outH * outW])
            .reshape([n, c, outH, outW])
    }
}

