import CPUKernels

extension Tensor {
    /// `conv2d(input, weight, options)` handed over in bands of about `bandRows` output rows
    /// (rounded so that each band splits evenly over the threads), top to bottom: `consume(band,
    /// rows)` receives the output's rows `rows` as a tensor `[N, Cout, rows.count, Wo]`, bit for
    /// bit those rows of `conv2d`'s result.
    ///
    /// The whole output never exists: a consumer that reduces each band (StyleGAN2's last level,
    /// whose activation feeds only its ToRGB) saves a buffer the size of the output — 128 MiB of
    /// fresh pages at 1024 px — and reads each band while it is in cache. The band tensors share
    /// one buffer, which the next band overwrites: `consume` may change a band in place but must
    /// not keep it. Inference only (nothing is recorded).
    public static func conv2dInRowBands(_ input: Tensor, weight: Tensor, options: Convolution2DOptions = .init(),
                                        bandRows: Int, _ consume: (_ band: Tensor, _ rows: Range<Int>) -> Void) {
        precondition(!(GradientMode.isEnabled && (input.needsGradient || weight.needsGradient)),
                     "conv2dInRowBands: inference only (no graph is recorded through the bands)")
        precondition(bandRows > 0, "conv2dInRowBands: \(bandRows) rows per band")
        let g = geometry(op: "conv2dInRowBands", input: input.shape, weight: weight.shape, options: options)
        guard DirectConvolution.isSuitable(g) else {
            // Other shapes: the whole output, then its rows band by band (same bits, no saving).
            let whole = GradientMode.withoutGradients { conv2d(input, weight: weight, options: options) }
            var top = 0
            while top < g.outputHeight {
                let rows = top..<Swift.min(g.outputHeight, top + bandRows)
                consume(whole.slice(2, start: rows.lowerBound, end: rows.upperBound), rows)
                top = rows.upperBound
            }
            return
        }
        let rowsPerBand = DirectConvolution.balancedBandRows(g, about: bandRows)
        let buffer = TensorStorage(uninitializedCount: g.batch * g.outputChannels * rowsPerBand * g.outputWidth)
        DirectConvolution.forwardInRowBands(g, input: input.readData, weight: weight.readData, bias: nil,
                                            bandRows: rowsPerBand, band: buffer.pointer) { rows in
            consume(Tensor(shape: [g.batch, g.outputChannels, rows.count, g.outputWidth], storage: buffer), rows)
        }
    }
}

extension Tensor {
    /// Sets this tensor's rows `rows` ([N, C, H, W]) to `band` [N, C, rows.count, W], or with
    /// `adding` to `band + self[:, :, rows, :]`, in place. Not recorded (inference only).
    package func setRows(_ rows: Range<Int>, from band: Tensor, adding: Bool) {
        precondition(rank == 4 && band.rank == 4 && band.shape[0] == shape[0] && band.shape[1] == shape[1]
                        && band.shape[2] == rows.count && band.shape[3] == shape[3] && rows.lowerBound >= 0 && rows.upperBound <= shape[2],
                     "setRows: band \(band.shape) for rows \(rows) of \(shape)")
        let planes = shape[0] * shape[1], plane = rows.count * shape[3]
        let source = band.readData, target = data + rows.lowerBound * shape[3]
        for p in 0..<planes {
            let from = source + p * plane, to = target + p * shape[2] * shape[3]
            if adding {
                for i in 0..<plane { to[i] = from[i] + to[i] }
            } else {
                to.update(from: from, count: plane)
            }
        }
    }
}
