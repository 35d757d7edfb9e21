import NeuralNetwork
import Tensors

/// A PReLU's slopes as a module, so its key is `prelu1.weight` as in pSp's `nn.PReLU`.
public final class ChannelSlopes: Module {
    public var weight: Tensor
    init(channels: Int) { weight = Tensor.full([channels], value: 0.25) }
}

/// The layers under `features.` of pSp's MTCNN networks (`nn.Sequential(OrderedDict(...))`):
/// keys `features.conv1.weight`, `features.prelu1.weight`, … Pooling has no weights.
public final class MTCNNFeatures: Module {
    public var conv1: Conv2d, prelu1: ChannelSlopes
    public var conv2: Conv2d, prelu2: ChannelSlopes
    public var conv3: Conv2d, prelu3: ChannelSlopes
    public var conv4: Module?, prelu4: ChannelSlopes?
    public var conv5: Linear?, prelu5: ChannelSlopes?

    init(_ channels: [Int], kernels: [Int], linear: (Int, Int)?, convolutionalFourth: Bool) {
        conv1 = Conv2d(3, channels[0], kernelSize: kernels[0]); prelu1 = ChannelSlopes(channels: channels[0])
        conv2 = Conv2d(channels[0], channels[1], kernelSize: kernels[1]); prelu2 = ChannelSlopes(channels: channels[1])
        conv3 = Conv2d(channels[1], channels[2], kernelSize: kernels[2]); prelu3 = ChannelSlopes(channels: channels[2])
        if convolutionalFourth {
            conv4 = Conv2d(channels[2], channels[3], kernelSize: kernels[3]); prelu4 = ChannelSlopes(channels: channels[3])
            if let linear { conv5 = Linear(linear.0, linear.1); prelu5 = ChannelSlopes(channels: linear.1) }
        } else if let linear {
            conv4 = Linear(linear.0, linear.1); prelu4 = ChannelSlopes(channels: linear.1)
        }
    }
}

/// P-Net, MTCNN's first stage: a fully convolutional 12×12-window face classifier run on every
/// level of the image pyramid. `[1, 3, H, W]` in [−1, 1] → box offsets `[1, 4, H', W']` and face
/// probability `[1, H', W']`, one cell per 12×12 window at stride 2 (H' = ⌈(H − 2) / 2⌉ − 4).
///
/// ```swift
/// let (offsets, probability) = proposal(pyramidLevel)
/// ```
public final class ProposalNetwork: Module {
    public var features = MTCNNFeatures([10, 16, 32], kernels: [3, 3, 3], linear: nil, convolutionalFourth: false)
    public var conv4_1 = Conv2d(32, 2, kernelSize: 1)
    public var conv4_2 = Conv2d(32, 4, kernelSize: 1)

    public func callAsFunction(_ input: Tensor) -> (offsets: Tensor, probability: Tensor) {
        var x = MTCNNLayers.prelu(features.conv1(input), slope: features.prelu1.weight)
        x = MTCNNLayers.maxPoolCeil(x, kernel: 2, stride: 2)
        x = MTCNNLayers.prelu(features.conv2(x), slope: features.prelu2.weight)
        x = MTCNNLayers.prelu(features.conv3(x), slope: features.prelu3.weight)
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

/// R-Net, the second stage: refines P-Net's candidates on 24×24 crops.
/// `[N, 3, 24, 24]` → offsets `[N, 4]`, face probabilities `[N]`.
public final class RefinementNetwork: Module {
    public var features = MTCNNFeatures([28, 48, 64], kernels: [3, 3, 2], linear: (576, 128), convolutionalFourth: false)
    public var conv5_1 = Linear(128, 2)
    public var conv5_2 = Linear(128, 4)

    public func callAsFunction(_ input: Tensor) -> (offsets: Tensor, probability: [Float]) {
        var x = MTCNNLayers.prelu(features.conv1(input), slope: features.prelu1.weight)
        x = MTCNNLayers.maxPoolCeil(x, kernel: 3, stride: 2)
        x = MTCNNLayers.prelu(features.conv2(x), slope: features.prelu2.weight)
        x = MTCNNLayers.maxPoolCeil(x, kernel: 3, stride: 2)
        x = MTCNNLayers.prelu(features.conv3(x), slope: features.prelu3.weight)
        x = MTCNNLayers.flattenTransposed(x)
        x = MTCNNLayers.prelu((features.conv4 as! Linear)(x), slope: features.prelu4!.weight)
        return (conv5_2(x), probabilities(conv5_1(x)))
    }
}

/// O-Net, the third stage: 48×48 crops → landmarks `[N, 10]` (x₁…x₅, y₁…y₅ as fractions of the
/// box), offsets `[N, 4]`, face probabilities `[N]`.
public final class OutputNetwork: Module {
    public var features = MTCNNFeatures([32, 64, 64, 128], kernels: [3, 3, 3, 2], linear: (1152, 256), convolutionalFourth: true)
    public var conv6_1 = Linear(256, 2)
    public var conv6_2 = Linear(256, 4)
    public var conv6_3 = Linear(256, 10)

    public func callAsFunction(_ input: Tensor) -> (landmarks: Tensor, offsets: Tensor, probability: [Float]) {
        var x = MTCNNLayers.prelu(features.conv1(input), slope: features.prelu1.weight)
        x = MTCNNLayers.maxPoolCeil(x, kernel: 3, stride: 2)
        x = MTCNNLayers.prelu(features.conv2(x), slope: features.prelu2.weight)
        x = MTCNNLayers.maxPoolCeil(x, kernel: 3, stride: 2)
        x = MTCNNLayers.prelu(features.conv3(x), slope: features.prelu3.weight)
        x = MTCNNLayers.maxPoolCeil(x, kernel: 2, stride: 2)
        x = MTCNNLayers.prelu((features.conv4 as! Conv2d)(x), slope: features.prelu4!.weight)
        x = MTCNNLayers.flattenTransposed(x)
        // Dropout (p = 0.25) sits here in training only.
        x = MTCNNLayers.prelu(features.conv5!(x), slope: features.prelu5!.weight)
        return (conv6_3(x), conv6_2(x), probabilities(conv6_1(x)))
    }
}

/// Per-row softmax of `[N, 2]` logits → the face probability of each row.
private func probabilities(_ logits: Tensor) -> [Float] {
    let l = logits.readData
    return (0..<logits.shape[0]).map { MTCNNLayers.faceProbability(l[2 * $0], l[2 * $0 + 1]) }
}
