import NeuralNetwork
import Tensors

/// O-Net's layers under `features.`; `conv5` is a Linear (pSp's name).
public final class OutputFeatures: Module {
    public var conv1 = Conv2d(3, 32, kernelSize: 3), prelu1 = ChannelSlopes(channels: 32)
    public var conv2 = Conv2d(32, 64, kernelSize: 3), prelu2 = ChannelSlopes(channels: 64)
    public var conv3 = Conv2d(64, 64, kernelSize: 3), prelu3 = ChannelSlopes(channels: 64)
    public var conv4 = Conv2d(64, 128, kernelSize: 2), prelu4 = ChannelSlopes(channels: 128)
    public var conv5 = Linear(1152, 256), prelu5 = ChannelSlopes(channels: 256)
}

/// O-Net, the third stage: 48×48 crops → landmarks `[N, 10]` (x₁…x₅, y₁…y₅ as fractions of the
/// box), offsets `[N, 4]`, face probabilities `[N]`.
public final class OutputNetwork: Module {
    public var features = OutputFeatures()
    public var conv6_1 = Linear(256, 2)
    public var conv6_2 = Linear(256, 4)
    public var conv6_3 = Linear(256, 10)

    public func callAsFunction(_ input: Tensor) -> (landmarks: Tensor, offsets: Tensor, probability: [Float]) {
        var x = PReLU.apply(features.conv1(input), slope: features.prelu1.weight)
        x = x.maxPool2d(kernel: 3, stride: 2, ceilMode: true)
        x = PReLU.apply(features.conv2(x), slope: features.prelu2.weight)
        x = x.maxPool2d(kernel: 3, stride: 2, ceilMode: true)
        x = PReLU.apply(features.conv3(x), slope: features.prelu3.weight)
        x = x.maxPool2d(kernel: 2, stride: 2, ceilMode: true)
        x = PReLU.apply(features.conv4(x), slope: features.prelu4.weight)
        x = MTCNNLayers.flattenTransposed(x)
        // Dropout (p = 0.25) sits here in training only.
        x = PReLU.apply(features.conv5(x), slope: features.prelu5.weight)
        return (conv6_3(x), conv6_2(x), probabilities(conv6_1(x)))
    }
}
