import NeuralNetwork
import Tensors

/// The convolutional trunk of torchvision's AlexNet (`alexnet().features`) up to its last ReLU,
/// returning the five activations LPIPS compares (after `features.1, 4, 7, 9, 11`).
///
/// Keys follow the layer indices of the PyTorch `Sequential`, as in pSp's and StylePrompter's
/// `criteria/lpips` (which keeps the trunk as `net.layers`): `layers.{0,3,6,8,10}.{weight,bias}`.
///
/// | index | layer | output at 256 px |
/// |---|---|---|
/// | 0, 1 | Conv 3→64, 11×11 stride 4 pad 2; ReLU | 64×63×63 (tap 1) |
/// | 2, 3, 4 | MaxPool 3 stride 2; Conv 64→192, 5×5 pad 2; ReLU | 192×31×31 (tap 2) |
/// | 5, 6, 7 | MaxPool 3 stride 2; Conv 192→384, 3×3 pad 1; ReLU | 384×15×15 (tap 3) |
/// | 8, 9 | Conv 384→256, 3×3 pad 1; ReLU | 256×15×15 (tap 4) |
/// | 10, 11 | Conv 256→256, 3×3 pad 1; ReLU | 256×15×15 (tap 5) |
///
/// torchvision's final max-pool (index 12) and classifier are never reached by LPIPS and are
/// left out. `channels` replaces the widths `[64, 192, 384, 256, 256]` (tests use small ones).
///
/// ```swift
/// let trunk = AlexNetFeatures()
/// let taps = trunk.features(images)   // five [N, Cₖ, Hₖ, Wₖ] maps
/// ```
public final class AlexNetFeatures: Module {
    /// torchvision AlexNet's widths at the five taps.
    public static let standardChannels = [64, 192, 384, 256, 256]
    /// Indices into `layers` after which a feature map is taken (the ReLUs).
    public static let tapIndices = [1, 4, 7, 9, 11]

    public var layers: Sequential
    public let channels: [Int]

    /// `generator` draws the initial weights (the shared default generator when nil).
    public init(channels: [Int] = AlexNetFeatures.standardChannels, generator: RandomGenerator? = nil) {
        precondition(channels.count == 5, "AlexNetFeatures: five widths expected, got \(channels)")
        self.channels = channels
        let c = channels
        layers = Sequential([
            Conv2d(3, c[0], kernelSize: 11, stride: 4, padding: 2, generator: generator), Activation(.relu),
            MaxPool2d(kernelSize: 3, stride: 2),
            Conv2d(c[0], c[1], kernelSize: 5, padding: 2, generator: generator), Activation(.relu),
            MaxPool2d(kernelSize: 3, stride: 2),
            Conv2d(c[1], c[2], kernelSize: 3, padding: 1, generator: generator), Activation(.relu),
            Conv2d(c[2], c[3], kernelSize: 3, padding: 1, generator: generator), Activation(.relu),
            Conv2d(c[3], c[4], kernelSize: 3, padding: 1, generator: generator), Activation(.relu),
        ])
    }

    /// The five ReLU outputs for `input [N, 3, H, W]` (already shifted and scaled).
    public func features(_ input: Tensor) -> [Tensor] {
        var x = input
        var taps: [Tensor] = []
        for (index, layer) in layers.layers.enumerated() {
            x = layer(x)
            if Self.tapIndices.contains(index) { taps.append(x) }
        }
        return taps
    }
}
