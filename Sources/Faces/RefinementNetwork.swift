import NeuralNetwork
import Tensors

/// R-Net's layers under `features.`; `conv4` is a Linear (pSp's name).
public final class RefinementFeatures: Module {
    public var conv1 = Conv2d(3, 28, kernelSize: 3), prelu1 = ChannelSlopes(channels: 28)
    public var conv2 = Conv2d(28, 48, kernelSize: 3), prelu2 = ChannelSlopes(channels: 48)
    public var conv3 = Conv2d(48, 64, kernelSize: 2), prelu3 = ChannelSlopes(channels: 64)
    public var conv4 = Linear(576, 128), prelu4 = ChannelSlopes(channels: 128)
}

/// R-Net, the second stage: refines P-Net's candidates on 24×24 crops.
/// `[N, 3, 24, 24]` → offsets `[N, 4]`, face probabilities `[N]`.
public final class RefinementNetwork: Module {
    public var features = RefinementFeatures()
    public var conv5_1 = Linear(128, 2)
    public var conv5_2 = Linear(128, 4)

    public func callAsFunction(_ input: Tensor) -> (offsets: Tensor, probability: [Float]) {
        var x = PReLU.apply(features.conv1(input), slope: features.prelu1.weight)
        x = x.maxPool2d(kernel: 3, stride: 2, ceilMode: true)
        x = PReLU.apply(features.conv2(x), slope: features.prelu2.weight)
        x = x.maxPool2d(kernel: 3, stride: 2, ceilMode: true)
        x = PReLU.apply(features.conv3(x), slope: features.prelu3.weight)
        x = MTCNNLayers.flattenTransposed(x)
        x = PReLU.apply(features.conv4(x), slope: features.prelu4.weight)
        return (conv5_2(x), probabilities(conv5_1(x)))
    }
}
