import NeuralNetwork
import Tensors

/// `torch.nn.PReLU(num_parameters)`: `x` where `x > 0`, else `weight[c] · x`, with one learnt
/// slope per channel (axis 1; one slope shared by all channels when `channels == 1`).
/// Key: `weight [channels]`, initialised to 0.25 as in PyTorch.
///
/// ```swift
/// let activation = PReLU(channels: 64)   // IR-SE50's
/// let y = activation(x)                  // x: [N, 64, H, W]
/// ```
public final class PReLU: Layer {
    public var weight: Tensor

    public init(channels: Int = 1, initialSlope: Float = 0.25) {
        weight = Tensor.full([channels], value: initialSlope, requiresGrad: true)
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        let channels = weight.shape[0]
        // PyTorch's backward sends `weight·g` where x ≤ 0 (x = 0 included); `where` does the same.
        var slopeShape = [Int](repeating: 1, count: input.rank)
        if channels > 1 {
            precondition(input.rank >= 2 && input.shape[1] == channels, "PReLU: input \(input.shape) does not have \(channels) channels")
            slopeShape[1] = channels
        }
        return Tensor.where(input.greater(0), input, input * weight.reshape(slopeShape))
    }
}
