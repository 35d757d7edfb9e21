import CPUKernels

/// An activation `[N, C, H, W]` whose rows are computed on demand, a range at a time, instead of
/// existing whole: `fill(rows, target, planeStride)` writes rows `rows` of every plane p (image ·
/// channel) to `target + p·planeStride + (y − rows.lowerBound)·W`.
///
/// StyleGAN2's last level feeds its up-convolution's output (128 MiB at 1024 px, a buffer of
/// fresh pages) only to the next 3×3 convolution: `Tensor.conv2dInRowBands(_: RowSource, …)`
/// asks for it a window of rows at a time, top to bottom, so it never exists whole. Nothing is
/// recorded (inference only); a source may be filled any number of times.
public struct RowSource {
    /// The activation's shape, `[N, C, H, W]`.
    public let shape: [Int]
    private let fill: (_ rows: Range<Int>, _ target: UnsafeMutablePointer<Float>, _ planeStride: Int) -> Void

    public init(shape: [Int], fill: @escaping (_ rows: Range<Int>, _ target: UnsafeMutablePointer<Float>, _ planeStride: Int) -> Void) {
        precondition(shape.count == 4 && shape.allSatisfy { $0 > 0 }, "RowSource: shape \(shape), expected [N, C, H, W]")
        self.shape = shape
        self.fill = fill
    }

    /// Writes rows `rows` (within 0..<H) of every plane, plane p at `target + p·planeStride`.
    public func fill(_ rows: Range<Int>, into target: UnsafeMutablePointer<Float>, planeStride: Int) {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= shape[2] && planeStride >= rows.count * shape[3],
                     "RowSource.fill: rows \(rows) of \(shape[2]), plane stride \(planeStride)")
        guard !rows.isEmpty else { return }
        fill(rows, target, planeStride)
    }

    /// Every row, as one tensor.
    public func whole() -> Tensor {
        let tensor = Tensor(uninitializedShape: shape)
        fill(0..<shape[2], into: tensor.data, planeStride: shape[2] * shape[3])
        return tensor
    }

    /// The same rows seen as `[N′, C′, H, W]` with N′·C′ = N·C (planes in the same order: a batch
    /// as one grouped image, or back).
    public func reshapedPlanes(_ batch: Int, _ channels: Int) -> RowSource {
        precondition(batch * channels == shape[0] * shape[1], "RowSource.reshapedPlanes: \(batch)×\(channels) planes for \(shape)")
        return RowSource(shape: [batch, channels, shape[2], shape[3]], fill: fill)
    }

    /// This source with `transform(rows, target, planeStride)` applied in place to every range it fills.
    public func then(_ transform: @escaping (_ rows: Range<Int>, _ target: UnsafeMutablePointer<Float>, _ planeStride: Int) -> Void) -> RowSource {
        let fill = self.fill
        return RowSource(shape: shape) { rows, target, planeStride in
            fill(rows, target, planeStride)
            transform(rows, target, planeStride)
        }
    }
}

extension Tensor {
    /// `convTranspose2dBlurred(input, weight, …)` as a `RowSource`: each range of rows runs only
    /// the phase rows under it (and the few before them that the blur reaches back to), the same
    /// bits as those rows of the whole output. Nil where that function would not take its fused
    /// path; call it instead. Captures `input` and `weight`.
    public static func convTranspose2dBlurredRows(_ input: Tensor, weight: Tensor, options: Convolution2DOptions,
                                                  blurKernel: Tensor, padding: (x0: Int, x1: Int, y0: Int, y1: Int)) -> RowSource? {
        guard !(GradientMode.isEnabled && (input.needsGradient || weight.needsGradient)),
              input.rank == 4, weight.rank == 4, blurKernel.rank == 2, !blurKernel.needsGradient,
              options.padding.height == 0, options.padding.width == 0, input.shape[1] == weight.shape[0],
              input.shape[1] % options.groups == 0 else { return nil }
        let g = transposedGeometry(input: input.shape, weight: weight.shape, options: options)
        let blurGeometry = UpfirdnGeometry(
            planes: g.batch * g.inputChannels, inputHeight: g.inputHeight, inputWidth: g.inputWidth,
            kernelHeight: blurKernel.shape[0], kernelWidth: blurKernel.shape[1], upX: 1, upY: 1, downX: 1, downY: 1,
            padX0: padding.x0, padX1: padding.x1, padY0: padding.y0, padY1: padding.y1)
        guard g.outputHeight == input.shape[2], g.outputWidth == input.shape[3],
              blurGeometry.outputHeight > 0, blurGeometry.outputWidth > 0,
              let phases = StridePhases(g),
              let blur = SeparableBlur(blurGeometry, kernel: blurKernel.readData) else { return nil }
        return RowSource(shape: [g.batch, g.inputChannels, blurGeometry.outputHeight, blurGeometry.outputWidth]) { rows, target, planeStride in
            phases.backwardInputBlurred(gradOutput: input.readData, weight: weight.readData, blur: blur, rows: rows,
                                        output: target, planeStride: planeStride)
        }
    }
}
