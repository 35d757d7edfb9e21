import Tensors

/// 2-D convolution over NCHW input; weight `[out, in/groups, kh, kw]` as in PyTorch.
///
/// ```swift
/// let patchEmbed = Conv2d(3, 96, kernelSize: 4, stride: 4)
/// ```
public final class Conv2d: Layer {
    public var weight: Tensor
    public var bias: Tensor?
    public let options: Convolution2DOptions

    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                groups: Int = 1, bias: Bool = true, generator: RandomGenerator? = nil) {
        precondition(inputChannels % groups == 0 && outputChannels % groups == 0,
                     "Conv2d: \(inputChannels)→\(outputChannels) channels not divisible by \(groups) groups")
        let fanIn = inputChannels / groups * kernelSize * kernelSize
        weight = Initialization.fanInUniform([outputChannels, inputChannels / groups, kernelSize, kernelSize], fanIn: fanIn, generator: generator)
        self.bias = bias ? Initialization.fanInUniform([outputChannels], fanIn: fanIn, generator: generator) : nil
        options = Convolution2DOptions(stride: stride, padding: padding, groups: groups)
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        Tensor.conv2d(input, weight: weight, bias: bias, options: options)
    }
}
