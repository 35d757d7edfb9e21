import Tensors

/// Layers applied in order; their keys are their indices (`0.weight`, `2.bias`), as in
/// PyTorch's `nn.Sequential`.
public final class Sequential: Layer {
    public var layers: [Layer]

    public init(_ layers: [Layer]) { self.layers = layers }

    // `Sequential` keys its children directly by index, without a `layers.` prefix.
    override func reflectedEntries() -> [(key: String, value: Module.Entry)] {
        layers.enumerated().map { ("\($0.offset)", .module($0.element)) }
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        layers.reduce(input) { $1($0) }
    }
}

/// Parameter-free activations, usable inside `Sequential`.
public final class Activation: Layer {
    public enum Kind: Sendable { case relu, gelu, tanh, sigmoid, leakyRelu(slope: Float) }
    public let kind: Kind

    public init(_ kind: Kind) { self.kind = kind }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        switch kind {
        case .relu: input.relu()
        case .gelu: input.gelu()
        case .tanh: input.tanh()
        case .sigmoid: input.sigmoid()
        case .leakyRelu(let slope): input.leakyRelu(slope: slope)
        }
    }
}
