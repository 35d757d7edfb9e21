import Tensors

/// `y = x·Wᵀ + b` over the last axis; weight `[out, in]` as in PyTorch.
///
/// ```swift
/// let proj = Linear(96, 192, bias: false)
/// let y = proj(x)   // [..., 96] → [..., 192]
/// ```
public final class Linear: Layer {
    public var weight: Tensor
    public var bias: Tensor?

    public init(_ inputFeatures: Int, _ outputFeatures: Int, bias: Bool = true, generator: RandomGenerator? = nil) {
        weight = Initialization.fanInUniform([outputFeatures, inputFeatures], fanIn: inputFeatures, generator: generator)
        self.bias = bias ? Initialization.fanInUniform([outputFeatures], fanIn: inputFeatures, generator: generator) : nil
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        Tensor.linear(input, weight: weight, bias: bias)
    }
}
