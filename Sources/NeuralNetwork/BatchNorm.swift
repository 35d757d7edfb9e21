import Tensors

/// Batch normalisation over axis 1 of `[N, C]` or `[N, C, H, W]` — PyTorch's `BatchNorm1d` and
/// `BatchNorm2d` in one type, with the same keys: `weight`, `bias` (when `affine`) and the
/// buffers `running_mean`, `running_var`, `num_batches_tracked`.
///
/// In evaluation mode (how the ArcFace network is always used) it applies the running statistics
/// the way PyTorch's CPU kernel does: `x·α + β` with `α = weight / √(running_var + ε)`,
/// `β = bias − running_mean·α`. In training mode it normalises by the batch's own (biased)
/// statistics and moves the running ones by `momentum` (the unbiased variance), as PyTorch does.
///
/// ```swift
/// let norm = BatchNorm(channels: 64)
/// norm.eval()
/// let y = norm(x)   // x: [N, 64, H, W]
/// ```
public final class BatchNorm: Layer {
    public var weight: Tensor?
    public var bias: Tensor?
    @Buffer public var runningMean: Tensor
    @Buffer public var runningVariance: Tensor
    @Buffer public var batchesTracked: Tensor
    public let epsilon: Float
    public let momentum: Float

    public override class var keyRenames: [String: String] {
        ["runningMean": "running_mean", "runningVariance": "running_var", "batchesTracked": "num_batches_tracked"]
    }

    public init(channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        weight = affine ? Tensor.ones([channels], requiresGrad: true) : nil
        bias = affine ? Tensor.zeros([channels], requiresGrad: true) : nil
        runningMean = Tensor.zeros([channels])
        runningVariance = Tensor.ones([channels])
        batchesTracked = Tensor.zeros([])
        self.epsilon = epsilon
        self.momentum = momentum
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        let channels = runningMean.shape[0]
        precondition((input.rank == 2 || input.rank == 4) && input.shape[1] == channels,
                     "BatchNorm: input \(input.shape) is not [N, \(channels)] or [N, \(channels), H, W]")
        var channelShape = [Int](repeating: 1, count: input.rank)
        channelShape[1] = channels
        if training { return normalizeWithBatchStatistics(input, channelShape: channelShape) }
        var scale = (runningVariance + epsilon).rsqrt()
        if let weight { scale = scale * weight }
        var shift = -(runningMean * scale)
        if let bias { shift = shift + bias }
        return input * scale.reshape(channelShape) + shift.reshape(channelShape)
    }

    private func normalizeWithBatchStatistics(_ input: Tensor, channelShape: [Int]) -> Tensor {
        let axes = input.rank == 4 ? [0, 2, 3] : [0]
        let perChannel = input.count / runningMean.shape[0]
        precondition(perChannel > 1, "BatchNorm: training needs more than one value per channel, got \(input.shape)")
        let mean = input.mean(axes: axes, keepDims: true)
        let centered = input - mean
        let variance = (centered * centered).mean(axes: axes, keepDims: true)
        GradientMode.withoutGradients {
            let unbiased = variance.reshape([runningMean.shape[0]]) * (Float(perChannel) / Float(perChannel - 1))
            runningMean.assign(runningMean * (1 - momentum) + mean.reshape([runningMean.shape[0]]) * momentum)
            runningVariance.assign(runningVariance * (1 - momentum) + unbiased * momentum)
            batchesTracked.assign([batchesTracked.item() + 1])
        }
        var y = centered * (variance + epsilon).rsqrt()
        if let weight { y = y * weight.reshape(channelShape) }
        if let bias { y = y + bias.reshape(channelShape) }
        return y
    }
}
