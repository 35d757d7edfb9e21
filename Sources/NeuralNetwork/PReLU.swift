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
        Self.apply(input, slope: weight)
    }

    /// `x > 0 ? x : slope[c]·x` over axis 1 (`slope` [C], or [1] for all channels): one pass
    /// when no gradient is wanted (MTCNN's detection), the differentiable ops otherwise.
    public static func apply(_ input: Tensor, slope weight: Tensor) -> Tensor {
        let channels = weight.shape[0]
        if !GradientMode.isEnabled || (!input.needsGradient && !weight.needsGradient) {
            return inference(input, slope: weight)
        }
        // PyTorch's backward sends `weight·g` where x ≤ 0 (x = 0 included); `where` does the same.
        var slopeShape = [Int](repeating: 1, count: input.rank)
        if channels > 1 {
            precondition(input.rank >= 2 && input.shape[1] == channels, "PReLU: input \(input.shape) does not have \(channels) channels")
            slopeShape[1] = channels
        }
        return Tensor.where(input.greater(0), input, input * weight.reshape(slopeShape))
    }

    private static func inference(_ input: Tensor, slope: Tensor) -> Tensor {
        let channels = slope.count
        precondition(channels == 1 || (input.rank >= 2 && input.shape[1] == channels),
                     "PReLU: input \(input.shape) does not have \(channels) channels")
        let batch = input.shape.first ?? 1
        let plane = channels == 1 ? input.count : input.count / Swift.max(1, batch * channels)
        let output = Tensor(uninitializedShape: input.shape)
        let source = input.readData, target = output.data, slopes = slope.readData
        if channels == 1 {
            let a = slopes[0]
            for i in 0..<input.count { let v = source[i]; target[i] = v > 0 ? v : a * v }
            return output
        }
        for image in 0..<batch {
            for channel in 0..<channels {
                let base = (image * channels + channel) * plane, a = slopes[channel]
                for i in base..<(base + plane) { let v = source[i]; target[i] = v > 0 ? v : a * v }
            }
        }
        return output
    }
}
