/// Shapes of a 2-D convolution, PyTorch semantics: input `[N, Cin, H, W]`, weight
/// `[Cout, Cin/groups, kh, kw]`, output `[N, Cout, Ho, Wo]`, zero padding, no dilation.
package struct ConvolutionGeometry: Equatable, Sendable {
    package var batch: Int
    package var inputChannels: Int
    package var inputHeight: Int
    package var inputWidth: Int
    package var outputChannels: Int
    package var kernelHeight: Int
    package var kernelWidth: Int
    package var strideHeight: Int
    package var strideWidth: Int
    package var paddingHeight: Int
    package var paddingWidth: Int
    package var groups: Int

    package init(batch: Int, inputChannels: Int, inputHeight: Int, inputWidth: Int,
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

    package var outputHeight: Int { (inputHeight + 2 * paddingHeight - kernelHeight) / strideHeight + 1 }
    package var outputWidth: Int { (inputWidth + 2 * paddingWidth - kernelWidth) / strideWidth + 1 }
    package var inputChannelsPerGroup: Int { inputChannels / groups }
    package var outputChannelsPerGroup: Int { outputChannels / groups }
    package var inputCount: Int { batch * inputChannels * inputHeight * inputWidth }
    package var outputCount: Int { batch * outputChannels * outputHeight * outputWidth }
    package var weightCount: Int { outputChannels * inputChannelsPerGroup * kernelHeight * kernelWidth }
    /// Multiply-adds ×2 of the forward pass.
    package var flops: Double {
        2 * Double(batch * outputChannels * outputHeight * outputWidth) * Double(inputChannelsPerGroup * kernelHeight * kernelWidth)
    }
}
