import Testing
import CPUKernels

/// Winograd F(2×2, 3×3) (`WinogradConvolution`, the path for stride-1 3×3 layers with more than
/// 256 output channels per group) against the float64 direct loops: odd and even sizes (partial
/// last tiles), paddings 0–2, groups, batches, the input gradient (a forward convolution with
/// flipped weights), 1–3 threads, and more tiles than one chunk.
@Suite(.serialized) struct WinogradTests {
    static let geometries: [ConvolutionGeometry] = [
        ConvolutionGeometry(batch: 1, inputChannels: 64, inputHeight: 9, inputWidth: 11, outputChannels: 260,
                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1),
        ConvolutionGeometry(batch: 2, inputChannels: 2 * 64, inputHeight: 8, inputWidth: 8, outputChannels: 2 * 257,
                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1, groups: 2),
        ConvolutionGeometry(batch: 1, inputChannels: 70, inputHeight: 10, inputWidth: 7, outputChannels: 300,
                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 0, paddingWidth: 2),
        ConvolutionGeometry(batch: 3, inputChannels: 64, inputHeight: 4, inputWidth: 4, outputChannels: 264,
                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1),
        // 34² outputs: 289 tiles, more than one chunk of 256.
        ConvolutionGeometry(batch: 1, inputChannels: 64, inputHeight: 34, inputWidth: 34, outputChannels: 272,
                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1),
    ]

    @Test func theseGeometriesTakeTheWinogradPath() {
        #expect(Self.geometries.allSatisfy { WinogradConvolution.isSuitable($0) && !DirectConvolution.isSuitable($0) })
        var narrow = Self.geometries[0]
        narrow.outputChannels = 256                                 // the direct convolution's
        #expect(!WinogradConvolution.isSuitable(narrow))
        var strided = Self.geometries[0]
        strided.strideHeight = 2
        #expect(!WinogradConvolution.isSuitable(strided))
    }

    @Test(arguments: geometries)
    func forwardMatchesTheDirectSum(_ g: ConvolutionGeometry) {
        let input = TestBuffer(count: g.inputCount, seed: 1), weight = TestBuffer(count: g.weightCount, seed: 2)
        let bias = TestBuffer(count: g.outputChannels, seed: 3)
        let expected = TestBuffer(count: g.outputCount, seed: 5)
        ConvolutionReference.forward(g, input: input.pointer, weight: weight.pointer, bias: bias.pointer, output: expected.pointer)
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        for threads in 1...3 {
            Parallel.threadCount = threads
            let output = TestBuffer(count: g.outputCount, seed: 4)
            Convolution.forward(g, input: input.pointer, weight: weight.pointer, bias: bias.pointer, output: output.pointer)
            let error = maxAbsoluteDifference(output.pointer, expected.pointer, count: g.outputCount)
            // Outputs are sums of 9·Cin products of values in [−1, 1]: ~10 in size.
            #expect(error <= dotProductTolerance(g.inputChannelsPerGroup * 9 + 1), "\(threads) thread(s): \(error)")
        }
    }

    /// The input gradient of a layer whose flipped forward has > 256 output channels.
    @Test func inputGradientThroughWinograd() {
        let g = ConvolutionGeometry(batch: 2, inputChannels: 288, inputHeight: 12, inputWidth: 9, outputChannels: 64,
                                    kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)
        let gradOutput = TestBuffer(count: g.outputCount, seed: 7), weight = TestBuffer(count: g.weightCount, seed: 8)
        let gradInput = TestBuffer(count: g.inputCount, seed: 9), expected = TestBuffer(count: g.inputCount, seed: 10)
        Convolution.backwardInput(g, gradOutput: gradOutput.pointer, weight: weight.pointer, gradInput: gradInput.pointer)
        ConvolutionReference.backwardInput(g, gradOutput: gradOutput.pointer, weight: weight.pointer, gradInput: expected.pointer)
        let error = maxAbsoluteDifference(gradInput.pointer, expected.pointer, count: g.inputCount)
        #expect(error <= dotProductTolerance(g.outputChannels * 9), "\(error)")
    }

    /// How close it is in practice: a StyleGAN2 512-channel layer's shape at 16², relative to the
    /// outputs' size (the bound above is a worst case for any summation order).
    @Test func relativeErrorOnA512ChannelLayer() {
        let g = ConvolutionGeometry(batch: 1, inputChannels: 512, inputHeight: 16, inputWidth: 16, outputChannels: 512,
                                    kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)
        let input = TestBuffer(count: g.inputCount, seed: 11), weight = TestBuffer(count: g.weightCount, seed: 12)
        let output = TestBuffer(count: g.outputCount, seed: 13), expected = TestBuffer(count: g.outputCount, seed: 14)
        Convolution.forward(g, input: input.pointer, weight: weight.pointer, bias: nil, output: output.pointer)
        ConvolutionReference.forward(g, input: input.pointer, weight: weight.pointer, bias: nil, output: expected.pointer)
        let error = maxAbsoluteDifference(output.pointer, expected.pointer, count: g.outputCount)
        let scale = (0..<g.outputCount).reduce(Float(0)) { max($0, abs(expected.pointer[$1])) }
        #expect(error / scale < 2e-6, "largest error \(error) for outputs up to \(scale)")
    }
}
