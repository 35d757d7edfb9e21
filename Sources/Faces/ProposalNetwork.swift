import NeuralNetwork
import Tensors

/// P-Net's layers under `features.` (pSp's `nn.Sequential(OrderedDict(...))`): keys
/// `features.conv1.weight`, `features.prelu1.weight`, … Pooling has no weights.
public final class ProposalFeatures: Module {
    public var conv1 = Conv2d(3, 10, kernelSize: 3), prelu1 = ChannelSlopes(channels: 10)
    public var conv2 = Conv2d(10, 16, kernelSize: 3), prelu2 = ChannelSlopes(channels: 16)
    public var conv3 = Conv2d(16, 32, kernelSize: 3), prelu3 = ChannelSlopes(channels: 32)
}

/// P-Net, MTCNN's first stage: a fully convolutional 12×12-window face classifier run on every
/// level of the image pyramid. `[1, 3, H, W]` in [−1, 1] → box offsets `[1, 4, H', W']` and face
/// probability `[1, H', W']`, one cell per 12×12 window at stride 2 (H' = ⌈(H − 2) / 2⌉ − 4).
///
/// ```swift
/// let (offsets, probability) = proposal(pyramidLevel)
/// ```
public final class ProposalNetwork: Module {
    public var features = ProposalFeatures()
    public var conv4_1 = Conv2d(32, 2, kernelSize: 1)
    public var conv4_2 = Conv2d(32, 4, kernelSize: 1)

    public func callAsFunction(_ input: Tensor) -> (offsets: Tensor, probability: Tensor) {
        var x = PReLU.apply(features.conv1(input), slope: features.prelu1.weight)
        x = x.maxPool2d(kernel: 2, stride: 2, ceilMode: true)
        x = PReLU.apply(features.conv2(x), slope: features.prelu2.weight)
        x = PReLU.apply(features.conv3(x), slope: features.prelu3.weight)
        let logits = conv4_1(x)   // [1, 2, H', W']
        // Softmax over the two classes (dim 1), as the original MTCNN and facenet-pytorch; pSp's
        // copy writes `dim=-1` (over the width), a bug the fixture script patches out.
        let (h, w) = (logits.shape[2], logits.shape[3])
        let probability = Tensor(uninitializedShape: [1, h, w])
        let l = logits.readData, p = probability.data
        for i in 0..<(h * w) { p[i] = MTCNNLayers.faceProbability(l[i], l[h * w + i]) }
        return (conv4_2(x), probability)
    }
}
