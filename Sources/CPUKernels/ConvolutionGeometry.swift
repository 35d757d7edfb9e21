/// Shapes of a 2-D convolution, PyTorch semantics: input `[N, Cin, H, W]`, weight
/// `[Cout, Cin/groups, kh, kw]`, output `[N, Cout, Ho, Wo]`, zero padding, no dilation.
public struct ConvolutionGeometry: Equatable, Sendable {
    public var batch: Int
    public var inputChannels: Int
    public var inputHeight: Int
    public var inputWidth: Int
    public var outputChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    public var paddingHeight: Int
    public var paddingWidth: Int
    public var groups: Int

    public init(batch: Int, inputChannels: Int, inputHeight: Int, inputWidth: Int,
                outputChannels: Int, kernelHeight: Int, kernelWidth: Int,
                strideHeight: Int = 1, strideWidth: Int = 1,
                paddingHeight: Int = 0, paddingWidth: Int = 0, groups: Int = 1) {
        self.batch = batch; self.inputChannels = inputChannels
        self.inputHeight = inputHeight; self.inputWidth = inputWidth
        self.outputChannels = outputChannels
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth
        self.paddingHeight = paddingHeight; self.paddingWidth = paddingWidth
        self.groups = groups
    }

    public var outputHeight: Int { (inputHeight + 2 * paddingHeight - kernelHeight) / strideHeight + 1 }
    public var outputWidth: Int { (inputWidth + 2 * paddingWidth - kernelWidth) / strideWidth + 1 }
    public var inputChannelsPerGroup: Int { inputChannels / groups }
    public var outputChannelsPerGroup: Int { outputChannels / groups }
    public var inputCount: Int { batch * inputChannels * inputHeight * inputWidth }
    public var outputCount: Int { batch * outputChannels * outputHeight * outputWidth }
    public var weightCount: Int { outputChannels * inputChannelsPerGroup * kernelHeight * kernelWidth }
    /// Multiply-adds ×2 of the forward pass.
    public var flops: Double {
        2 * Double(batch * outputChannels * outputHeight * outputWidth) * Double(inputChannelsPerGroup * kernelHeight * kernelWidth)
    }
}
