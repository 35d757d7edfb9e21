extension Tensor {
    /// Sum of every element, as a rank-0 tensor.
    public func sum() -> Tensor { sum(axes: Array(0..<rank)) }

    /// Sum over `axes` (negative counts from the end), keeping them as size 1 if `keepDims`.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let axes = Set(axes.map { normalizedAxis($0, op: "sum") })
        let kept = shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        let reduced = sumToShape(kept)
        return keepDims ? reduced : reduced.reshape(shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element))
    }

    /// Sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// Mean of every element.
    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

    /// Mean over `axes`.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let n = Set(axes.map { normalizedAxis($0, op: "mean") }).reduce(1) { $0 * shape[$1] }
        return sum(axes: axes, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }

    /// Mean over one axis.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Variance over `axes`; `unbiased` divides by n − 1 as `torch.var` does by default.
    public func variance(axes: [Int], unbiased: Bool = true, keepDims: Bool = false) -> Tensor {
        let n = Set(axes.map { normalizedAxis($0, op: "variance") }).reduce(1) { $0 * shape[$1] }
        let centered = self - mean(axes: axes, keepDims: true)
        let squares = (centered * centered).sum(axes: axes, keepDims: keepDims)
        return squares * (1 / Float(Swift.max(unbiased ? n - 1 : n, 1)))
    }

    /// Largest element along `axis` and its index (the first on ties); the gradient goes to
    /// that element, as with `torch.max(x, dim)`.
    public func max(axis: Int, keepDims: Bool = false) -> (values: Tensor, indices: [Int]) {
        let a = normalizedAxis(axis, op: "max")
        precondition(shape[a] > 0, "max: axis \(axis) of shape \(shape) is empty")
        let outer = shape[..<a].reduce(1, *), n = shape[a], inner = shape[(a + 1)...].reduce(1, *)
        var keptShape = shape
        keptShape[a] = 1
        let out = Tensor(uninitializedShape: keptShape)
        var indices = [Int](repeating: 0, count: outer * inner)
        let x = readData, y = out.data
        for o in 0..<outer {
            for i in 0..<inner {
                var best = x[o * n * inner + i], bestIndex = 0
                for j in 1..<n where x[(o * n + j) * inner + i] > best {
                    best = x[(o * n + j) * inner + i]
                    bestIndex = j
                }
                y[o * inner + i] = best
                indices[o * inner + i] = bestIndex
            }
        }
        let inputShape = shape
        let recorded = Tensor.record("max", out, inputs: [self]) { g in
            [g.scatterAdd(a, index: indices, into: inputShape)]
        }
        var dropped = shape
        dropped.remove(at: a)
        return (keepDims ? recorded : recorded.reshape(dropped), indices)
    }

    /// Largest element of the whole tensor (no gradient).
    public func maxElement() -> Float {
        precondition(count > 0, "maxElement: empty tensor")
        var m = -Float.infinity
        for i in 0..<count { m = Swift.max(m, readData[i]) }
        return m
    }
}
