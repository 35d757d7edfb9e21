import CPUKernels

extension Tensor {
    /// Softmax along `axis` (default: the last).
    public func softmax(axis: Int = -1) -> Tensor {
        let a = normalizedAxis(axis, op: "softmax")
        if a != rank - 1 { return transposed(a, -1).softmax().transposed(a, -1) }
        let columns = shape[rank - 1], rows = count / Swift.max(columns, 1)
        let out = Tensor(uninitializedShape: shape)
        Softmax.forward(rows: rows, columns: columns, input: readData, output: out.data)
        return Tensor.record("softmax", out, inputs: [self]) { [unowned out] g in  // see exp()
            if GradientMode.isEnabled {
                return [out * (g - (g * out).sum(axis: -1, keepDims: true))]
            }
            let d = Tensor(uninitializedShape: g.shape)
            Softmax.backward(rows: rows, columns: columns, output: out.readData, gradOutput: g.readData, gradInput: d.data)
            return [d]
        }
    }

    /// Log-softmax along `axis` (default: the last).
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let a = normalizedAxis(axis, op: "logSoftmax")
        if a != rank - 1 { return transposed(a, -1).logSoftmax().transposed(a, -1) }
        let columns = shape[rank - 1], rows = count / Swift.max(columns, 1)
        let out = Tensor(uninitializedShape: shape)
        Softmax.logForward(rows: rows, columns: columns, input: readData, output: out.data)
        return Tensor.record("logSoftmax", out, inputs: [self]) { [unowned out] g in  // see exp()
            if GradientMode.isEnabled {
                return [g - out.exp() * g.sum(axis: -1, keepDims: true)]
            }
            let d = Tensor(uninitializedShape: g.shape)
            Softmax.logBackward(rows: rows, columns: columns, output: out.readData, gradOutput: g.readData, gradInput: d.data)
            return [d]
        }
    }

    /// Layer normalisation over the last axis (`torch.nn.functional.layer_norm` with
    /// `normalized_shape = [C]`): `(x − mean)/sqrt(var + epsilon) · weight + bias`.
    public static func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5) -> Tensor {
        let columns = x.shape.last ?? 1, rows = x.count / Swift.max(columns, 1)
        if let weight { precondition(weight.shape == [columns], "layerNorm: weight \(weight.shape) for input \(x.shape)") }
        if let bias { precondition(bias.shape == [columns], "layerNorm: bias \(bias.shape) for input \(x.shape)") }
        let out = Tensor(uninitializedShape: x.shape)
        let mean = Tensor(uninitializedShape: [rows]), rstd = Tensor(uninitializedShape: [rows])
        LayerNormalization.forward(rows: rows, columns: columns, input: x.readData, weight: weight?.readData,
                                   bias: bias?.readData, epsilon: epsilon, output: out.data, mean: mean.data, rstd: rstd.data)
        let inputs = [x] + [weight, bias].compactMap { $0 }
        return record("layerNorm", out, inputs: inputs) { g in
            if GradientMode.isEnabled {
                // Double backward: the same gradient composed of recorded ops.
                let centered = x - x.mean(axis: -1, keepDims: true)
                let inv = ((centered * centered).mean(axis: -1, keepDims: true) + epsilon).rsqrt()
                let h = centered * inv
                let gh = weight.map { g * $0 } ?? g
                let gx = inv * (gh - gh.mean(axis: -1, keepDims: true) - h * (gh * h).mean(axis: -1, keepDims: true))
                var result: [Tensor?] = [gx]
                if weight != nil { result.append((g * h).sumToShape([columns])) }
                if bias != nil { result.append(g.sumToShape([columns])) }
                return result
            }
            let gx = Tensor(uninitializedShape: x.shape)
            let gw = weight.map { Tensor(uninitializedShape: $0.shape) }
            let gb = bias.map { Tensor(uninitializedShape: $0.shape) }
            LayerNormalization.backward(rows: rows, columns: columns, input: x.readData, gradOutput: g.readData,
                                        weight: weight?.readData, mean: mean.readData, rstd: rstd.readData,
                                        gradInput: gx.data, gradWeight: gw?.data, gradBias: gb?.data)
            // Built explicitly: `[gx] + [gw, gb].compactMap { $0 }` infers `[Tensor?]` and keeps the nils.
            var result: [Tensor?] = [gx]
            if let gw { result.append(gw) }
            if let gb { result.append(gb) }
            return result
        }
    }

    /// `x / max(‖x‖₂, epsilon)` along `axis`, as `torch.nn.functional.normalize` (cosine attention).
    public func l2Normalized(axis: Int = -1, epsilon: Float = 1e-12) -> Tensor {
        // max(√s, ε) = √max(s, ε²), clamped before the square root: an all-zero slice then gets
        // PyTorch's finite gradient instead of 0·∞ = NaN from √'s rule at 0.
        let norm = (self * self).sum(axis: axis, keepDims: true).clamp(min: epsilon * epsilon).sqrt()
        return self / norm
    }
}
