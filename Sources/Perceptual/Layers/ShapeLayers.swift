import NeuralNetwork
import Tensors

/// `[N, …] → [N, ∏…]`: the `Flatten` of the ArcFace code (`input.view(input.size(0), -1)`).
public final class Flatten: Layer {
    public override init() {}

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        input.reshape([input.shape[0], input.count / Swift.max(input.shape[0], 1)])
    }
}

/// The identity, as `torch.nn.Identity` — a placeholder that keeps `Sequential` indices (and so
/// state-dict keys) where PyTorch has a parameter-free layer, e.g. the heads' `lin.K.1.weight`.
public final class Identity: Layer {
    public override init() {}

    public override func callAsFunction(_ input: Tensor) -> Tensor { input }
}
