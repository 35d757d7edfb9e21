import NeuralNetwork
import Tensors

/// One residual unit of the ArcFace IR / IR-SE ResNets (`bottleneck_IR`, `bottleneck_IR_SE` in
/// pSp's `helpers.py`): `res_layer(x) + shortcut_layer(x)`.
///
/// - `res_layer`: BatchNorm(in) → Conv 3×3 in→depth (pad 1, no bias) → PReLU(depth) →
///   Conv 3×3 depth→depth (stride, pad 1, no bias) → BatchNorm(depth) [→ SqueezeExcitation]
///   — keys `res_layer.{0,1,2,3,4}` (and `res_layer.5.fc1/fc2` for IR-SE);
/// - `shortcut_layer`: a 1×1 max-pool with the stride (parameter-free) when `in == depth`, else
///   Conv 1×1 with the stride (no bias) → BatchNorm — keys `shortcut_layer.{0,1}`.
///
/// ```swift
/// let unit = BottleneckIR(inputChannels: 64, depth: 128, stride: 2, squeezeExcitation: true)
/// let y = unit(x)   // [N, 64, 56, 56] → [N, 128, 28, 28]
/// ```
public final class BottleneckIR: Layer {
    public var shortcutLayer: Layer
    public var resLayer: Sequential

    public override class var keyRenames: [String: String] {
        ["shortcutLayer": "shortcut_layer", "resLayer": "res_layer"]
    }

    public init(inputChannels: Int, depth: Int, stride: Int, squeezeExcitation: Bool = true, reduction: Int = 16) {
        if inputChannels == depth {
            shortcutLayer = MaxPool2d(kernelSize: 1, stride: stride)
        } else {
            shortcutLayer = Sequential([
                Conv2d(inputChannels, depth, kernelSize: 1, stride: stride, bias: false),
                BatchNorm(channels: depth),
            ])
        }
        var layers: [Layer] = [
            BatchNorm(channels: inputChannels),
            Conv2d(inputChannels, depth, kernelSize: 3, padding: 1, bias: false),
            PReLU(channels: depth),
            Conv2d(depth, depth, kernelSize: 3, stride: stride, padding: 1, bias: false),
            BatchNorm(channels: depth),
        ]
        if squeezeExcitation { layers.append(SqueezeExcitation(channels: depth, reduction: reduction)) }
        resLayer = Sequential(layers)
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        resLayer(input) + shortcutLayer(input)
    }
}
