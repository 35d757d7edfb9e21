import Foundation

extension Tensor {
    // Rules that read their own output capture it `unowned`: the rule lives in
    // `out.gradientNode`, so a strong capture is a cycle that keeps every graph that is never
    // walked by a (non-retaining) backward alive. The rule only runs while `out` is alive.

    public func exp() -> Tensor {
        let out = mapElements(Elementwise.Exp())
        return Tensor.record("exp", out, inputs: [self]) { [unowned out] g in [g * out] }
    }

    public func log() -> Tensor {
        let out = mapElements { Foundation.log($0) }
        return Tensor.record("log", out, inputs: [self]) { [self] g in [g / self] }
    }

    public func sqrt() -> Tensor {
        let out = mapElements(Elementwise.SquareRoot())
        return Tensor.record("sqrt", out, inputs: [self]) { [unowned out] g in [g / out * 0.5] }
    }

    /// `1 / sqrt(x)`.
    public func rsqrt() -> Tensor {
        let out = mapElements(Elementwise.ReciprocalSquareRoot())
        return Tensor.record("rsqrt", out, inputs: [self]) { [unowned out] g in [g * out * out * out * -0.5] }
    }

    public func abs() -> Tensor {
        let out = mapElements { Swift.abs($0) }
        return Tensor.record("abs", out, inputs: [self]) { [self] g in
            [g * self.mapElements { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }]
        }
    }

    /// Elements limited to `[minimum, maximum]`; the gradient passes where the input was inside.
    public func clamp(min minimum: Float = -.infinity, max maximum: Float = .infinity) -> Tensor {
        let out = mapElements(Elementwise.Clamp(minimum: minimum, maximum: maximum))
        return Tensor.record("clamp", out, inputs: [self]) { [self] g in
            [g * self.mapElements { $0 >= minimum && $0 <= maximum ? 1 : 0 }]
        }
    }

    public func tanh() -> Tensor {
        let out = mapElements(Elementwise.Tanh())
        return Tensor.record("tanh", out, inputs: [self]) { [unowned out] g in [g * (1 - out * out)] }
    }

    public func sigmoid() -> Tensor {
        let out = mapElements(Elementwise.Sigmoid())
        return Tensor.record("sigmoid", out, inputs: [self]) { [unowned out] g in [g * out * (1 - out)] }
    }

    public func relu() -> Tensor {
        let out = mapElements(Elementwise.Relu())
        // A select, as PyTorch's threshold_backward: a NaN gradient where x ≤ 0 becomes 0.
        return Tensor.record("relu", out, inputs: [self]) { [self] g in [Tensor.where(self.greater(0), g, Tensor.zeros([]))] }
    }

    /// `scale · (x ≥ 0 ? x : slope·x)` — StyleGAN's fused leaky ReLU uses slope 0.2, scale √2.
    public func leakyRelu(slope: Float = 0.01, scale: Float = 1) -> Tensor {
        let out = mapElements(Elementwise.LeakyRelu(slope: slope, scale: scale))
        return Tensor.record("leakyRelu", out, inputs: [self]) { [self] g in
            // The slope mask is piecewise constant, so treating it as a constant is exact for
            // second derivatives too.
            // `x > 0`, as PyTorch: at exactly 0 the gradient takes the negative slope.
            [g * self.mapElements(Elementwise.LeakyReluDerivative(slope: slope, scale: scale))]
        }
    }

    /// Exact GELU, `x·Φ(x)` (PyTorch's default, not the tanh approximation).
    public func gelu() -> Tensor {
        let out = mapElements(Elementwise.Gelu())
        return Tensor.record("gelu", out, inputs: [self]) { [self] g in
            precondition(!GradientMode.isEnabled, "gelu: second derivatives are not supported")
            return [g * self.mapElements(Elementwise.GeluDerivative())]
        }
    }
}

extension Tensor {
    /// `log(1 + exp(x))`, as `torch.nn.functional.softplus` (linear above 20 for stability).
    public func softplus() -> Tensor {
        let out = mapElements { x in x > 20 ? x : Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }
        return Tensor.record("softplus", out, inputs: [self]) { [self] g in [g * self.sigmoid()] }
    }
}
