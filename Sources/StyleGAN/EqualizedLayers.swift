import Foundation
import NeuralNetwork
import Tensors

/// StyleGAN's equalised-learning-rate linear layer: weights stored at unit variance and scaled
/// by `lrMultiplier/√in` at run time; `fused leaky ReLU` (bias, slope 0.2, gain √2) when
/// `activate`. Keys `weight` [out, in], `bias` [out].
public final class EqualLinear: Layer {
    public var weight: Tensor
    public var bias: Tensor?
    public let lrMultiplier: Float
    public let activate: Bool
    let scale: Float

    public init(_ inputFeatures: Int, _ outputFeatures: Int, bias: Bool = true, biasInit: Float = 0,
                lrMultiplier: Float = 1, activate: Bool = false, generator: RandomGenerator? = nil) {
        weight = Initialization.normal([outputFeatures, inputFeatures], standardDeviation: 1 / lrMultiplier, generator: generator)
        self.bias = bias ? Tensor.full([outputFeatures], value: biasInit, requiresGrad: true) : nil
        self.lrMultiplier = lrMultiplier
        self.activate = activate
        scale = 1 / Float(inputFeatures).squareRoot() * lrMultiplier
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        let scaledBias = bias.map { $0 * lrMultiplier }
        if activate {
            return fusedLeakyReLU(Tensor.linear(input, weight: weight * scale), bias: scaledBias)
        }
        return Tensor.linear(input, weight: weight * scale, bias: scaledBias)
    }
}

/// StyleGAN's equalised-learning-rate convolution (`weight·1/√(in·k²)`). Keys `weight`, `bias`.
public final class EqualConv2d: Layer {
    public var weight: Tensor
    public var bias: Tensor?
    public let options: Convolution2DOptions
    let scale: Float

    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, generator: RandomGenerator? = nil) {
        weight = Initialization.normal([outputChannels, inputChannels, kernelSize, kernelSize], generator: generator)
        self.bias = bias ? Tensor.zeros([outputChannels], requiresGrad: true) : nil
        options = Convolution2DOptions(stride: stride, padding: padding)
        scale = 1 / Float(inputChannels * kernelSize * kernelSize).squareRoot()
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        Tensor.conv2d(input, weight: weight * scale, bias: bias, options: options)
    }
}

/// `leaky_relu(x + bias, 0.2)·√2` with the bias broadcast over axis 1 (rosinality's
/// `fused_leaky_relu`, pure tensor ops so it differentiates twice).
public func fusedLeakyReLU(_ input: Tensor, bias: Tensor?) -> Tensor {
    var x = input
    if let bias {
        var shape = [Int](repeating: 1, count: input.rank)
        shape[1] = bias.count
        x = x + bias.reshape(shape)
    }
    return x.leakyRelu(slope: 0.2, scale: Float(2).squareRoot())
}

/// The fused leaky ReLU as a layer with its own bias (key `bias` [C]).
public final class FusedLeakyReLU: Layer {
    public var bias: Tensor?

    public init(_ channels: Int, bias: Bool = true) {
        self.bias = bias ? Tensor.zeros([channels], requiresGrad: true) : nil
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor { fusedLeakyReLU(input, bias: bias) }
}

/// `x·rsqrt(mean(x², axis 1) + 1e-8)`: the mapping network's input normalisation.
public final class PixelNorm: Layer {
    public override func callAsFunction(_ input: Tensor) -> Tensor {
        input * ((input * input).mean(axis: 1, keepDims: true) + 1e-8).rsqrt()
    }
}
