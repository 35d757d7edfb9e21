import CPUKernels

extension Tensor {
    /// StyleGAN2's `upfirdn2d` on `[N, C, H, W]`: upsample by `up`, pad by
    /// `(x0, x1, y0, y1)` (negative crops), convolve every plane with `kernel [kh, kw]` (a
    /// constant), downsample by `down`. Differentiable any number of times in the input.
    public static func upfirdn2d(_ input: Tensor, kernel: Tensor, up: (x: Int, y: Int) = (1, 1),
                                 down: (x: Int, y: Int) = (1, 1),
                                 padding: (x0: Int, x1: Int, y0: Int, y1: Int)) -> Tensor {
        precondition(input.rank == 4 && kernel.rank == 2, "upfirdn2d: input \(input.shape) must be NCHW and kernel \(kernel.shape) 2-D")
        precondition(!kernel.needsGradient, "upfirdn2d: the FIR kernel must be a constant")
        let g = UpfirdnGeometry(
            planes: input.shape[0] * input.shape[1], inputHeight: input.shape[2], inputWidth: input.shape[3],
            kernelHeight: kernel.shape[0], kernelWidth: kernel.shape[1],
            upX: up.x, upY: up.y, downX: down.x, downY: down.y,
            padX0: padding.x0, padX1: padding.x1, padY0: padding.y0, padY1: padding.y1)
        precondition(g.outputHeight > 0 && g.outputWidth > 0, "upfirdn2d: input \(input.shape) too small for kernel \(kernel.shape) and padding \(padding)")
        let out = Tensor(uninitializedShape: [input.shape[0], input.shape[1], g.outputHeight, g.outputWidth])
        Upfirdn.forward(g, input: input.readData, kernel: kernel.readData, output: out.data)
        return record("upfirdn2d", out, inputs: [input]) { gradient in
            // The transpose is another upfirdn2d: flipped kernel, up and down swapped, and the
            // padding that realigns it (as in the reference's UpFirDn2dBackward).
            let flipped = kernel.flippedKernel()
            let gradPadding = (
                x0: g.kernelWidth - g.padX0 - 1,
                x1: g.inputWidth * g.upX - g.outputWidth * g.downX + g.padX0 - g.upX + 1,
                y0: g.kernelHeight - g.padY0 - 1,
                y1: g.inputHeight * g.upY - g.outputHeight * g.downY + g.padY0 - g.upY + 1)
            let gradInput = upfirdn2d(gradient, kernel: flipped, up: (g.downX, g.downY), down: (g.upX, g.upY), padding: gradPadding)
            precondition(gradInput.shape == input.shape, "upfirdn2d: gradient shape \(gradInput.shape) ≠ input \(input.shape)")
            return [gradInput]
        }
    }

    /// A 2-D kernel rotated by 180°.
    func flippedKernel() -> Tensor {
        let h = shape[0], w = shape[1]
        let out = Tensor(uninitializedShape: shape)
        for i in 0..<h { for j in 0..<w { out.data[i * w + j] = readData[(h - 1 - i) * w + (w - 1 - j)] } }
        return out
    }

    /// Adaptive average pooling of `[N, C, H, W]` to `[N, C, outputHeight, outputWidth]`, as
    /// `torch.nn.AdaptiveAvgPool2d` (windows `[⌊i·H/h⌋, ⌈(i+1)·H/h⌉)`).
    public func adaptiveAveragePool2d(outputHeight: Int, outputWidth: Int) -> Tensor {
        precondition(rank == 4 && outputHeight > 0 && outputWidth > 0, "adaptiveAveragePool2d: input \(shape) to \(outputHeight)×\(outputWidth)")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let out = Tensor(uninitializedShape: [n, c, outputHeight, outputWidth])
        Pooling.adaptiveAverageForward(planes: n * c, height: h, width: w, outputHeight: outputHeight, outputWidth: outputWidth,
                                       input: readData, output: out.data)
        return Tensor.record("adaptiveAveragePool2d", out, inputs: [self]) { g in
            [g.adaptiveAveragePoolTranspose(height: h, width: w)]
        }
    }

    private func adaptiveAveragePoolTranspose(height h: Int, width w: Int) -> Tensor {
        let (n, c, oh, ow) = (shape[0], shape[1], shape[2], shape[3])
        let out = Tensor(uninitializedShape: [n, c, h, w])
        Pooling.adaptiveAverageBackward(planes: n * c, height: h, width: w, outputHeight: oh, outputWidth: ow,
                                        gradOutput: readData, gradInput: out.data)
        return Tensor.record("adaptiveAveragePool2dBackward", out, inputs: [self]) { g in
            [g.adaptiveAveragePool2d(outputHeight: oh, outputWidth: ow)]
        }
    }

    /// Average pooling with a square `kernel` and `stride` (default: the kernel), no padding.
    public func averagePool2d(kernel: Int, stride: Int? = nil) -> Tensor {
        let stride = stride ?? kernel
        precondition(rank == 4 && kernel >= 1 && stride >= 1 && shape[2] >= kernel && shape[3] >= kernel,
                     "averagePool2d: input \(shape) with kernel \(kernel) stride \(stride)")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let out = Tensor(uninitializedShape: [n, c, (h - kernel) / stride + 1, (w - kernel) / stride + 1])
        Pooling.averageForward(planes: n * c, height: h, width: w, kernel: kernel, stride: stride, input: readData, output: out.data)
        return Tensor.record("averagePool2d", out, inputs: [self]) { g in
            [g.averagePoolTranspose(height: h, width: w, kernel: kernel, stride: stride)]
        }
    }

    private func averagePoolTranspose(height h: Int, width w: Int, kernel: Int, stride: Int) -> Tensor {
        let (n, c) = (shape[0], shape[1])
        let out = Tensor(uninitializedShape: [n, c, h, w])
        Pooling.averageBackward(planes: n * c, height: h, width: w, kernel: kernel, stride: stride, gradOutput: readData, gradInput: out.data)
        return Tensor.record("averagePool2dBackward", out, inputs: [self]) { g in
            [g.averagePool2d(kernel: kernel, stride: stride)]
        }
    }

    /// Bilinear resize of `[N, C, H, W]`, as `F.interpolate(mode="bilinear", align_corners=False)`.
    public func resizeBilinear(height outH: Int, width outW: Int) -> Tensor {
        precondition(rank == 4 && outH > 0 && outW > 0, "resizeBilinear: input \(shape) to \(outH)×\(outW)")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let out = Tensor(uninitializedShape: [n, c, outH, outW])
        BilinearResize.forward(planes: n * c, height: h, width: w, outputHeight: outH, outputWidth: outW, input: readData, output: out.data)
        return Tensor.record("resizeBilinear", out, inputs: [self]) { g in [g.resizeBilinearTranspose(height: h, width: w)] }
    }

    private func resizeBilinearTranspose(height h: Int, width w: Int) -> Tensor {
        let (n, c, oh, ow) = (shape[0], shape[1], shape[2], shape[3])
        let out = Tensor(uninitializedShape: [n, c, h, w])
        BilinearResize.backward(planes: n * c, height: h, width: w, outputHeight: oh, outputWidth: ow, gradOutput: readData, gradInput: out.data)
        return Tensor.record("resizeBilinearBackward", out, inputs: [self]) { g in [g.resizeBilinear(height: oh, width: ow)] }
    }
}
