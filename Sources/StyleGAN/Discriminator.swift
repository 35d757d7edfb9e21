import Foundation
import NeuralNetwork
import Tensors

/// rosinality's `ConvLayer`: [Blur (when downsampling)], EqualConv2d, [FusedLeakyReLU], keyed by
/// position like `nn.Sequential`.
func makeConvLayer(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, downsample: Bool = false,
                   blurKernel: [Float] = [1, 3, 3, 1], bias: Bool = true, activate: Bool = true,
                   generator: RandomGenerator?) -> Sequential {
    var layers: [Layer] = []
    var stride = 1, padding = kernelSize / 2
    if downsample {
        let p = (blurKernel.count - 2) + (kernelSize - 1)
        layers.append(Blur(taps: blurKernel, padding: ((p + 1) / 2, p / 2)))
        stride = 2
        padding = 0
    }
    layers.append(EqualConv2d(inputChannels, outputChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                              bias: bias && !activate, generator: generator))
    if activate { layers.append(FusedLeakyReLU(outputChannels, bias: bias)) }
    return Sequential(layers)
}

/// Residual block with blur-downsampling (keys `conv1.*`, `conv2.*`, `skip.*`).
public final class ResidualBlock: Layer {
    public var conv1: Sequential
    public var conv2: Sequential
    public var skip: Sequential

    public init(_ inputChannels: Int, _ outputChannels: Int, blurKernel: [Float], generator: RandomGenerator?) {
        conv1 = makeConvLayer(inputChannels, inputChannels, kernelSize: 3, generator: generator)
        conv2 = makeConvLayer(inputChannels, outputChannels, kernelSize: 3, downsample: true, blurKernel: blurKernel, generator: generator)
        skip = makeConvLayer(inputChannels, outputChannels, kernelSize: 1, downsample: true, blurKernel: blurKernel,
                             bias: false, activate: false, generator: generator)
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        (conv2(conv1(input)) + skip(input)) * (1 / Float(2).squareRoot())
    }
}

/// StyleGAN2 discriminator in rosinality's layout (`convs`, `final_conv`, `final_linear`),
/// with minibatch standard deviation (group 4, one feature).
public final class Discriminator: Module {
    public let size: Int
    public var convs: Sequential
    public var finalConv: Sequential
    public var finalLinear: Sequential
    public let stddevGroup = 4

    public override class var keyRenames: [String: String] { ["finalConv": "final_conv", "finalLinear": "final_linear"] }

    /// `channels` defaults to rosinality's table for `channelMultiplier`.
    public init(size: Int, channelMultiplier: Int = 2, channels: [Int: Int]? = nil, blurKernel: [Float] = [1, 3, 3, 1],
                generator: RandomGenerator? = nil) {
        let table = channels ?? GeneratorConfiguration.standardChannels(multiplier: channelMultiplier)
        func ch(_ r: Int) -> Int {
            guard let c = table[r] else { preconditionFailure("Discriminator: no channel count for \(r) px") }
            return c
        }
        self.size = size
        var layers: [Layer] = [makeConvLayer(3, ch(size), kernelSize: 1, generator: generator)]
        var inChannels = ch(size)
        var level = size.trailingZeroBitCount
        while level > 2 {
            let outChannels = ch(1 << (level - 1))
            layers.append(ResidualBlock(inChannels, outChannels, blurKernel: blurKernel, generator: generator))
            inChannels = outChannels
            level -= 1
        }
        convs = Sequential(layers)
        finalConv = makeConvLayer(inChannels + 1, ch(4), kernelSize: 3, generator: generator)
        finalLinear = Sequential([
            EqualLinear(ch(4) * 16, ch(4), activate: true, generator: generator),
            EqualLinear(ch(4), 1, generator: generator),
        ])
    }

    /// images [B, 3, size, size] → logits [B, 1].
    public func callAsFunction(_ images: Tensor) -> Tensor {
        var out = convs(images)
        let (batch, channels, height, width) = (out.shape[0], out.shape[1], out.shape[2], out.shape[3])
        let group = min(batch, stddevGroup)
        precondition(batch % group == 0, "Discriminator: batch \(batch) is not a multiple of the stddev group \(group)")
        // Sample b = g·(B/group) + m: the deviation is taken over g, for each m, then tiled.
        let grouped = out.reshape([group, batch / group, channels, height, width])
        let deviation = (grouped.variance(axes: [0], unbiased: false) + 1e-8).sqrt()     // [B/group, C, H, W]
        let perMember = deviation.mean(axes: [1, 2, 3], keepDims: true)                 // [B/group, 1, 1, 1]
        let tiled = Tensor.concat([Tensor](repeating: perMember, count: group), axis: 0)  // [B, 1, 1, 1]
        out = Tensor.concat([out, tiled.broadcast(to: [batch, 1, height, width])], axis: 1)
        out = finalConv(out)
        return finalLinear(out.reshape([batch, -1]))
    }
}
