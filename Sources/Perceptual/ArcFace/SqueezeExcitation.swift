import NeuralNetwork
import Tensors

/// The squeeze-and-excitation gate of IR-SE blocks (`SEModule` in pSp's `helpers.py`):
/// `x · sigmoid(fc2(relu(fc1(mean_{H,W} x))))`, with `fc1`, `fc2` 1×1 convolutions without
/// bias (`C → C/reduction → C`). Keys: `fc1.weight [C/r, C, 1, 1]`, `fc2.weight [C, C/r, 1, 1]`.
///
/// ```swift
/// let gate = SqueezeExcitation(channels: 64, reduction: 16)
/// let y = gate(x)   // same shape as x
/// ```
public final class SqueezeExcitation: Layer {
    public var fc1: Conv2d
    public var fc2: Conv2d

    public init(channels: Int, reduction: Int = 16) {
        precondition(channels / reduction >= 1, "SqueezeExcitation: \(channels) channels cannot be reduced by \(reduction)")
        fc1 = Conv2d(channels, channels / reduction, kernelSize: 1, bias: false)
        fc2 = Conv2d(channels / reduction, channels, kernelSize: 1, bias: false)
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        // AdaptiveAvgPool2d(1) is the spatial mean.
        let squeezed = input.mean(axes: [2, 3], keepDims: true)   // [N, C, 1, 1]
        return input * fc2(fc1(squeezed).relu()).sigmoid()
    }
}
