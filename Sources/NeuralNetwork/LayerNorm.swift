import Tensors

/// Layer normalisation over the last axis with learned scale and shift (PyTorch `LayerNorm(C)`).
public final class LayerNorm: Layer {
    public var weight: Tensor?
    public var bias: Tensor?
    public let epsilon: Float

    public init(_ features: Int, epsilon: Float = 1e-5, elementwiseAffine: Bool = true) {
        weight = elementwiseAffine ? Tensor.ones([features], requiresGrad: true) : nil
        bias = elementwiseAffine ? Tensor.zeros([features], requiresGrad: true) : nil
        self.epsilon = epsilon
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        Tensor.layerNorm(input, weight: weight, bias: bias, epsilon: epsilon)
    }
}
