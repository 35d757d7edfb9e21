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
        // Bands run on the direct path alone; where `conv2d` takes another (Winograd for large
        // 3×3 layers, the GEMM), the bands must be its rows, so they are cut from its whole output.
        guard Convolution.takesDirectPath(g) else {
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
    /// `conv2dInRowBands` of an input that arrives a window of rows at a time from `source`
    /// (stride 1, the output as high as the input): bit for bit the bands of
    /// `conv2dInRowBands(source.whole(), …)`, without the input ever existing whole.
    ///
    /// The window holds about 8 MiB of input rows plus the kh − 1 rows of halo the kernel reaches
    /// over; it runs as an unpadded (in height) convolution of the window, whose rows above and
    /// below the image are zeros — the values the padded convolution reads there, so the same
    /// products in the same order. The halo rows move from the bottom of one window to the top of
    /// the next, so every input row is filled once.
    public static func conv2dInRowBands(_ source: RowSource, weight: Tensor, options: Convolution2DOptions = .init(),
                                        bandRows: Int, _ consume: (_ band: Tensor, _ rows: Range<Int>) -> Void) {
        conv2dInRowBands(source, weight: weight, options: options, bandRows: bandRows, rowsPerWindow: nil, consume)
    }

    /// `rowsPerWindow`: input rows per window besides the halo (default: about 8 MiB of them).
    package static func conv2dInRowBands(_ source: RowSource, weight: Tensor, options: Convolution2DOptions = .init(),
                                         bandRows: Int, rowsPerWindow: Int?,
                                         _ consume: (_ band: Tensor, _ rows: Range<Int>) -> Void) {
        precondition(!(GradientMode.isEnabled && weight.needsGradient),
                     "conv2dInRowBands: inference only (no graph is recorded through the bands)")
        precondition(bandRows > 0, "conv2dInRowBands: \(bandRows) rows per band")
        let g = geometry(op: "conv2dInRowBands", input: source.shape, weight: weight.shape, options: options)
        let (n, c, h, w) = (source.shape[0], source.shape[1], source.shape[2], source.shape[3])
        let p = options.padding.height, halo = 2 * p
        // Rows per window: about 8 MiB of input (bands of the output split each window).
        let chunk = Swift.max(1, Swift.min(h, rowsPerWindow ?? (8 << 20) / Swift.max(1, n * c * w * MemoryLayout<Float>.stride)))
        let windowRows = chunk + halo
        let window = ConvolutionGeometry(batch: n, inputChannels: c, inputHeight: windowRows, inputWidth: w,
                                         outputChannels: g.outputChannels, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth,
                                         paddingHeight: 0, paddingWidth: options.padding.width, groups: options.groups)
        guard options.stride.height == 1, options.stride.width == 1, g.kernelHeight == halo + 1, g.outputHeight == h,
              Convolution.takesDirectPath(g), DirectConvolution.isSuitable(window) else {
            conv2dInRowBands(source.whole(), weight: weight, options: options, bandRows: bandRows, consume)
            return
        }
        let rowsPerBand = DirectConvolution.balancedBandRows(window, about: bandRows)
        let input = TensorStorage(uninitializedCount: n * c * windowRows * w)
        let band = TensorStorage(uninitializedCount: g.batch * g.outputChannels * rowsPerBand * g.outputWidth)
        let planes = n * c, planeStride = windowRows * w
        /// Window rows `rows` set to zero in every plane (rows of the padding).
        func zero(_ rows: Range<Int>) {
            guard !rows.isEmpty else { return }
            for plane in 0..<planes { (input.pointer + plane * planeStride + rows.lowerBound * w).update(repeating: 0, count: rows.count * w) }
        }
        var top = 0
        while top < h {
            // Window row i holds image row top − p + i; its output rows are top..<bottom.
            let bottom = Swift.min(h, top + chunk)
            var filled = 0                                  // window rows set so far
            if top == 0 {
                zero(0..<p)
                filled = p
            } else {
                // The previous window's last `halo` rows are this one's first.
                for plane in 0..<planes {
                    let rows = input.pointer + plane * planeStride
                    rows.update(from: rows + chunk * w, count: halo * w)
                }
                filled = halo
            }
            let first = top - p + filled, last = Swift.min(h, bottom + p)   // image rows still to fill
            if first < last {
                source.fill(first..<last, into: input.pointer + filled * w, planeStride: planeStride)
                filled += last - first
            }
            zero(filled..<(bottom - top + halo))                             // below the image
            DirectConvolution.forwardInRowBands(window, input: input.pointer, weight: weight.readData, bias: nil,
                                                bandRows: rowsPerBand, outputRows: 0..<(bottom - top),
                                                band: band.pointer) { rows in
                consume(Tensor(shape: [g.batch, g.outputChannels, rows.count, g.outputWidth], storage: band),
                        (top + rows.lowerBound)..<(top + rows.upperBound))
            }
            top = bottom
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
