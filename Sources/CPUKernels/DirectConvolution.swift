/// Direct stride-1 convolution for layers with few output channels (IR-SE50, AlexNet, StyleGAN2's
/// 256–1024-px levels).
///
/// The implicit-im2col GEMM packs a K×P panel of the input and reuses each packed value once
/// per output channel; with 64 output channels the packing costs more than the arithmetic
/// (3×3 64→64 at 56² ran at half PyTorch's speed). Here nothing is packed but the weights: a
/// register tile of `channels` output channels × `vectors` vectors of output pixels of one row
/// accumulates, for every input channel and tap, unaligned loads of the input row times broadcast
/// weights (the tiles are C, one set per kernel level: `KernelDispatch.convolutionTiles`). Which
/// tile shape runs is chosen per layer shape by `ConvolutionTuning`; every shape computes the
/// same bits.
///
/// The tiles read a zero-padded copy of the input rows under a block of output rows. Read in
/// place, a window's rows lie a plane apart (4 MiB at 1024 px) and alias in the caches (the
/// 32-channel 1024-px layer ran at 39 % of peak); padding the whole input first was an extra pass
/// over it; a copy per output row copied every input row kh times.
package enum DirectConvolution {
    /// Whether the direct path suits `g` (stride 1, at most 256 output channels per group — measured
    /// faster than the GEMM path up to 256 channels at 128², slower at 512 —, rows wide
    /// enough to fill a register tile, not a plain GEMM).
    package static func isSuitable(_ g: ConvolutionGeometry) -> Bool {
        g.strideHeight == 1 && g.strideWidth == 1 && g.outputChannelsPerGroup <= 256 && g.outputWidth >= 24
            && g.kernelHeight * g.kernelWidth > 1 && g.paddingHeight < g.kernelHeight && g.paddingWidth < g.kernelWidth
    }

    /// `output = conv2d(input, weight) + bias` for a geometry `isSuitable` accepts (overwrites).
    static func forward(_ g: ConvolutionGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let shape = ConvolutionTuning.shape(for: g, file: TuningCache.shared)
        let plan = DirectConvolutionPlan(g, shape: shape)
        plan.withPackedWeights(weight, bias: bias) { weights, biases in
            let outputShared = SharedPointer(output)
            Parallel.forRanges(count: plan.units, minimumPerThread: 1) { units in
                plan.run(units: units, input: input, weights: weights, biases: biases, output: outputShared.base)
            }
        }
    }

    /// The band height `forwardInRowBands` should use for about `rows` rows: a multiple of the
    /// plan's row blocks times the thread count, so every band splits evenly over the threads.
    package static func balancedBandRows(_ g: ConvolutionGeometry, about rows: Int) -> Int {
        let plan = DirectConvolutionPlan(g, shape: ConvolutionTuning.shape(for: g, file: TuningCache.shared))
        let step = plan.blockRows * max(1, Parallel.threadCount)
        return min(g.outputHeight, max(step, (rows + step / 2) / step * step))
    }

    /// The same convolution handed over in bands of output rows: for each band `rows` of at most
    /// `bandRows` rows, top to bottom, writes those rows to `band` (laid out `[N, Cout, rows.count,
    /// Wo]`, room for `bandRows` rows) and calls `consume(rows)`. Every output value is computed as
    /// `forward` computes it, so the bands hold the same bits as the rows of the whole output.
    ///
    /// For a consumer that reduces each band at once (StyleGAN2's last level feeds its activation
    /// only to ToRGB): the whole output — 128 MiB at 1024 px, fresh pages in a single pass — never
    /// exists, and each band is consumed while it is in cache. The weights are packed once.
    /// `outputRows` (default all): only those output rows, from its first, band by band.
    package static func forwardInRowBands(_ g: ConvolutionGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                          bias: UnsafePointer<Float>?, bandRows: Int, outputRows: Range<Int>? = nil,
                                          band: UnsafeMutablePointer<Float>, consume: (Range<Int>) -> Void) {
        let wanted = outputRows ?? 0..<g.outputHeight
        precondition(isSuitable(g) && bandRows > 0 && wanted.lowerBound >= 0 && wanted.upperBound <= g.outputHeight,
                     "DirectConvolution.forwardInRowBands: \(g), \(bandRows) rows per band, rows \(wanted)")
        let shape = ConvolutionTuning.shape(for: g, file: TuningCache.shared)
        let plan = DirectConvolutionPlan(g, shape: shape)
        plan.withPackedWeights(weight, bias: bias) { weights, biases in
            let bandShared = SharedPointer(band)
            var top = wanted.lowerBound
            while top < wanted.upperBound {
                let rows = top..<min(wanted.upperBound, top + bandRows)
                let blocks = (rows.count + plan.blockRows - 1) / plan.blockRows
                Parallel.forRanges(count: g.batch * g.groups * blocks, minimumPerThread: 1) { units in
                    plan.run(units: units, within: rows, input: input, weights: weights, biases: biases, output: bandShared.base)
                }
                consume(rows)
                top = rows.upperBound
            }
        }
    }
}

/// The sizes one direct convolution works with for one tile shape.
package struct DirectConvolutionPlan {
    let g: ConvolutionGeometry
    package let shape: ConvolutionTileShape
    /// Output-channel tiles per group, and the floats of one tile's packed weights.
    let tiles: Int, tileStride: Int
    /// Tiles run in blocks whose weights stay in cache (~128 KiB) while a block sweeps a row.
    let tilesPerBlock: Int
    /// The zero-padded input copy [cpg, patchRows, patchWidth] under `blockRows` output rows.
    let patchWidth: Int, blockRows: Int, patchRows: Int
    /// Work units: (image, group, block of output rows).
    package let units: Int

    package init(_ g: ConvolutionGeometry, shape: ConvolutionTileShape) {
        self.g = g
        self.shape = shape
        let cpg = g.inputChannelsPerGroup, opg = g.outputChannelsPerGroup
        tiles = (opg + shape.channels - 1) / shape.channels
        tileStride = cpg * g.kernelHeight * g.kernelWidth * shape.channels
        tilesPerBlock = max(1, min(tiles, (128 << 10) / (tileStride * MemoryLayout<Float>.stride)))
        patchWidth = (g.outputWidth + shape.pixels - 1) / shape.pixels * shape.pixels + g.kernelWidth - 1
        let rowBytes = cpg * patchWidth * MemoryLayout<Float>.stride
        blockRows = max(1, min(8, g.outputHeight, (768 << 10) / rowBytes - (g.kernelHeight - 1)))
        patchRows = blockRows + g.kernelHeight - 1
        units = g.batch * g.groups * ((g.outputHeight + blockRows - 1) / blockRows)
    }

    /// Lends the weights packed per (group, tile) as [c][tap][channels] and the biases per
    /// (group, tile) as [channels] (nil without bias), zero past the last channel.
    package func withPackedWeights<R>(_ weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                              _ body: (UnsafePointer<Float>, UnsafePointer<Float>?) -> R) -> R {
        let cpg = g.inputChannelsPerGroup, opg = g.outputChannelsPerGroup
        let taps = g.kernelHeight * g.kernelWidth, ch = shape.channels
        return ScratchBuffers.with(count: packedCount + g.groups * tiles * ch) { packed in
            pack(into: packed) { group, o, c, tap in weight[((group * opg + o) * cpg + c) * taps + tap] }
            let biases = packed + packedCount
            for group in 0..<g.groups {
                for tile in 0..<tiles {
                    for r in 0..<ch {
                        let o = tile * ch + r
                        biases[(group * tiles + tile) * ch + r] = o < opg ? bias?[group * opg + o] ?? 0 : 0
                    }
                }
            }
            return body(UnsafePointer(packed), bias == nil ? nil : UnsafePointer(biases))
        }
    }

    /// Floats of the packed weights: `tileStride` per (group, tile).
    var packedCount: Int { g.groups * tiles * tileStride }

    /// Writes the weights packed per (group, tile) as [c][tap][channels] into `packed`
    /// (`packedCount` floats): `value(group, o, c, tap)` for output channel o and input channel c
    /// of the group, zero past the group's last output channel.
    func pack(into packed: UnsafeMutablePointer<Float>, value: (_ group: Int, _ o: Int, _ c: Int, _ tap: Int) -> Float) {
        let cpg = g.inputChannelsPerGroup, opg = g.outputChannelsPerGroup
        let taps = g.kernelHeight * g.kernelWidth, ch = shape.channels
        for group in 0..<g.groups {
            for tile in 0..<tiles {
                let base = packed + (group * tiles + tile) * tileStride
                for c in 0..<cpg {
                    for tap in 0..<taps {
                        for r in 0..<ch {
                            let o = tile * ch + r
                            base[(c * taps + tap) * ch + r] = o < opg ? value(group, o, c, tap) : 0
                        }
                    }
                }
            }
        }
    }

    /// Computes the output rows of `units`. Full tiles store straight into `output`; a tile
    /// with channels past the group's last or pixels past the row's end goes through a buffer.
    package func run(units: Range<Int>, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
             biases: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        run(units: units, within: 0..<g.outputHeight, input: input, weights: weights, biases: biases, output: output)
    }

    /// `run` over the output rows `rows` only: units are (image, group, block of `blockRows` rows
    /// from `rows.lowerBound`), and `output` holds just those rows, `[N, Cout, rows.count, Wo]`.
    func run(units: Range<Int>, within rows: Range<Int>, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
             biases: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let (ho, wo, kh, kw) = (rows.count, g.outputWidth, g.kernelHeight, g.kernelWidth)
        let cpg = g.inputChannelsPerGroup, opg = g.outputChannelsPerGroup
        let ch = shape.channels, pixels = shape.pixels
        let inputPlane = g.inputHeight * g.inputWidth, outputPlane = ho * wo
        let patchPlane = patchRows * patchWidth
        let blocks = (ho + blockRows - 1) / blockRows
        let tile = shape.tile
        ScratchBuffers.with(count: cpg * patchPlane + ch * pixels) { patch in
            let partial = patch + cpg * patchPlane
            for unit in units {
                let block = unit % blocks, item = unit / blocks
                let n = item / g.groups, group = item % g.groups
                let channels = input + (n * g.inputChannels + group * cpg) * inputPlane
                // y counts rows of `output`; the patch starts at output row rows.lowerBound + y0.
                let y0 = block * blockRows, y1 = min(ho, y0 + blockRows)
                fillPatch(patch, channels: channels, channelCount: cpg, top: rows.lowerBound + y0 - g.paddingHeight,
                          left: -g.paddingWidth)
                for y in y0..<y1 {
                    let rowWindow = patch + (y - y0) * patchWidth
                    var firstTile = 0
                    while firstTile < tiles {
                        let lastTile = min(tiles, firstTile + tilesPerBlock)
                        var x0 = 0
                        while x0 < wo {
                            let width = min(pixels, wo - x0)
                            for t in firstTile..<lastTile {
                                let o0 = t * ch
                                let target = output + ((n * g.outputChannels + group * opg + o0) * ho + y) * wo + x0
                                let packedWeights = weights + (group * tiles + t) * tileStride
                                let tileBias = biases.map { $0 + (group * tiles + t) * ch }
                                if o0 + ch <= opg && width == pixels {
                                    tile(cpg, kh, kw, patchPlane, patchWidth, rowWindow + x0, packedWeights, tileBias,
                                         target, outputPlane)
                                    continue
                                }
                                tile(cpg, kh, kw, patchPlane, patchWidth, rowWindow + x0, packedWeights, tileBias,
                                     partial, pixels)
                                for r in 0..<min(ch, opg - o0) {
                                    (target + r * outputPlane).update(from: partial + r * pixels, count: width)
                                }
                            }
                            x0 += pixels
                        }
                        firstTile = lastTile
                    }
                }
            }
        }
    }

    /// `patch[c][i][j] = input[c][top + i][left + j]` for i < patchRows, j < patchWidth; zero
    /// outside the input.
    func fillPatch(_ patch: UnsafeMutablePointer<Float>, channels: UnsafePointer<Float>, channelCount: Int,
                   top: Int, left: Int) {
        let (height, width) = (g.inputHeight, g.inputWidth)
        let lo = max(0, -left), hi = min(patchWidth, width - left)
        for c in 0..<channelCount {
            for i in 0..<patchRows {
                let target = patch + (c * patchRows + i) * patchWidth
                let y = top + i
                guard y >= 0 && y < height && lo < hi else {
                    target.update(repeating: 0, count: patchWidth)
                    continue
                }
                let source = channels + (c * height + y) * width + left
                if lo > 0 { target.update(repeating: 0, count: lo) }
                (target + lo).update(from: source + lo, count: hi - lo)
                if hi < patchWidth { (target + hi).update(repeating: 0, count: patchWidth - hi) }
            }
        }
    }
}
