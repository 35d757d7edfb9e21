import CPUKernels

/// Hyper-parameters of a 2-D convolution (square kernels need not be: height and width apart).
public struct Convolution2DOptions: Equatable, Sendable {
    public var stride: (height: Int, width: Int)
    public var padding: (height: Int, width: Int)
    public var groups: Int

    public init(stride: Int = 1, padding: Int = 0, groups: Int = 1) {
        self.init(stride: (stride, stride), padding: (padding, padding), groups: groups)
    }

    public init(stride: (height: Int, width: Int), padding: (height: Int, width: Int), groups: Int = 1) {
        self.stride = stride
        self.padding = padding
        self.groups = groups
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.stride == b.stride && a.padding == b.padding && a.groups == b.groups
    }
}

extension Tensor {
    /// `conv2d(input [N, Cin, H, W], weight [Cout, Cin/groups, kh, kw]) + bias [Cout]`, as
    /// `torch.nn.functional.conv2d`.
    public static func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil,
                              options: Convolution2DOptions = .init()) -> Tensor {
        let g = geometry(op: "conv2d", input: input.shape, weight: weight.shape, options: options)
        if let bias {
            precondition(bias.shape == [g.outputChannels], "conv2d: bias \(bias.shape) does not match weight \(weight.shape)")
        }
        let y = convolutionForward(input, weight, g)
        guard let bias else { return y }
        return y + bias.reshape([1, g.outputChannels, 1, 1])
    }

    /// `conv_transpose2d(input [N, Cin, H, W], weight [Cin, Cout/groups, kh, kw]) + bias`, as
    /// `torch.nn.functional.conv_transpose2d` (no output padding): output size
    /// `(H − 1)·stride − 2·padding + kh`.
    public static func convTranspose2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil,
                                       options: Convolution2DOptions = .init()) -> Tensor {
        precondition(input.rank == 4 && weight.rank == 4 && input.shape[1] == weight.shape[0]
                        && input.shape[1] % options.groups == 0,
                     "convTranspose2d: input \(input.shape) does not match weight \(weight.shape) with \(options.groups) groups")
        let g = transposedGeometry(input: input.shape, weight: weight.shape, options: options)
        precondition(g.outputHeight == input.shape[2] && g.outputWidth == input.shape[3],
                     "convTranspose2d: input \(input.shape) and weight \(weight.shape) give an inconsistent output size")
        let y = convolutionBackwardInput(input, weight, g)
        guard let bias else { return y }
        precondition(bias.shape == [g.inputChannels], "convTranspose2d: bias \(bias.shape) does not match weight \(weight.shape)")
        return y + bias.reshape([1, g.inputChannels, 1, 1])
    }

    /// `upfirdn2d(convTranspose2d(input, weight, options), kernel: blurKernel, padding: padding)` —
    /// StyleGAN2's up-convolution and the blur after it. Without gradients to record, where the
    /// phase convolution applies (stride > 1, no padding, a separable kernel), it runs as one
    /// pass that filters the transposed convolution's rows as they are produced, so the
    /// unblurred output is never stored whole; the result is bit for bit the two-step one,
    /// which runs otherwise.
    public static func convTranspose2dBlurred(_ input: Tensor, weight: Tensor, options: Convolution2DOptions,
                                              blurKernel: Tensor, padding: (x0: Int, x1: Int, y0: Int, y1: Int)) -> Tensor {
        if let rows = convTranspose2dBlurredRows(input, weight: weight, options: options, blurKernel: blurKernel, padding: padding) {
            return rows.whole()
        }
        return upfirdn2d(convTranspose2d(input, weight: weight, options: options), kernel: blurKernel, padding: padding)
    }

    /// The convolution whose input gradient `convTranspose2d(input, weight)` is: it maps the
    /// transposed convolution's output, `(H − 1)·stride − 2·padding + kh` high, back to `input`.
    static func transposedGeometry(input: [Int], weight: [Int], options: Convolution2DOptions) -> ConvolutionGeometry {
        ConvolutionGeometry(
            batch: input[0], inputChannels: weight[1] * options.groups,
            inputHeight: (input[2] - 1) * options.stride.height - 2 * options.padding.height + weight[2],
            inputWidth: (input[3] - 1) * options.stride.width - 2 * options.padding.width + weight[3],
            outputChannels: weight[0], kernelHeight: weight[2], kernelWidth: weight[3],
            strideHeight: options.stride.height, strideWidth: options.stride.width,
            paddingHeight: options.padding.height, paddingWidth: options.padding.width, groups: options.groups)
    }

    static func geometry(op: String, input: [Int], weight: [Int], options: Convolution2DOptions) -> ConvolutionGeometry {
        precondition(input.count == 4 && weight.count == 4, "\(op): input \(input) and weight \(weight) must both have 4 axes")
        precondition(options.groups >= 1 && input[1] % options.groups == 0 && weight[0] % options.groups == 0
                        && weight[1] * options.groups == input[1],
                     "\(op): input \(input) does not match weight \(weight) with \(options.groups) groups")
        let g = ConvolutionGeometry(
            batch: input[0], inputChannels: input[1], inputHeight: input[2], inputWidth: input[3],
            outputChannels: weight[0], kernelHeight: weight[2], kernelWidth: weight[3],
            strideHeight: options.stride.height, strideWidth: options.stride.width,
            paddingHeight: options.padding.height, paddingWidth: options.padding.width, groups: options.groups)
        precondition(g.outputHeight > 0 && g.outputWidth > 0,
                     "\(op): kernel \(weight) larger than padded input \(input)")
        return g
    }

    // The three convolution primitives are each other's gradients, so convolutions can be
    // differentiated any number of times (R1 penalty, path-length regularisation).

    /// y = conv(x, w).
    static func convolutionForward(_ x: Tensor, _ w: Tensor, _ g: ConvolutionGeometry) -> Tensor {
        let out = Tensor(uninitializedShape: [g.batch, g.outputChannels, g.outputHeight, g.outputWidth])
        Convolution.forward(g, input: x.readData, weight: w.readData, bias: nil, output: out.data)
        return record("conv2d", out, inputs: [x, w]) { gy in
            [x.needsGradient ? convolutionBackwardInput(gy, w, g) : nil,
             w.needsGradient ? convolutionBackwardWeight(gy, x, g) : nil]
        }
    }

    /// gx = ∂⟨conv(x, w), gy⟩/∂x — also transposed convolution of gy.
    static func convolutionBackwardInput(_ gy: Tensor, _ w: Tensor, _ g: ConvolutionGeometry) -> Tensor {
        let out = Tensor(uninitializedShape: [g.batch, g.inputChannels, g.inputHeight, g.inputWidth])
        Convolution.backwardInput(g, gradOutput: gy.readData, weight: w.readData, gradInput: out.data)
        return record("convTranspose2d", out, inputs: [gy, w]) { gg in
            [gy.needsGradient ? convolutionForward(gg, w, g) : nil,
             w.needsGradient ? convolutionBackwardWeight(gy, gg, g) : nil]
        }
    }

    /// gw = ∂⟨conv(x, w), gy⟩/∂w.
    static func convolutionBackwardWeight(_ gy: Tensor, _ x: Tensor, _ g: ConvolutionGeometry) -> Tensor {
        let out = Tensor(uninitializedShape: [g.outputChannels, g.inputChannelsPerGroup, g.kernelHeight, g.kernelWidth])
        Convolution.backwardWeight(g, gradOutput: gy.readData, input: x.readData, gradWeight: out.data)
        return record("convWeightGradient", out, inputs: [gy, x]) { gw in
            [gy.needsGradient ? convolutionForward(x, gw, g) : nil,
             x.needsGradient ? convolutionBackwardInput(gy, gw, g) : nil]
        }
    }
}
