/// The input gradient of a strided, unpadded convolution — a transposed convolution, StyleGAN2's
/// upsampling layer — as one stride-1 convolution per output phase (sub-pixel convolution).
///
/// With stride s and no padding, input pixel `s·t + p` (phase p) receives
/// `Σₘ w[p + s·m] · gradOutput[t − m]` per axis: a stride-1 correlation of gradOutput with the
/// phase's taps, flipped, padded by (taps − 1). The s² phases run on the direct convolution's
/// tiles in one pass: each block of gradOutput rows is copied (zero-padded) once, every phase's
/// tiles read that copy, and each output row of every phase is interleaved into its place while
/// still in cache. A GEMM into columns and a col2im scatter-add over every tap ran StyleGAN2's
/// 64 → 32-channel up-convolution into the 1024-px level at 28 % of peak; phases run as separate
/// convolutions, each streaming gradOutput from memory and interleaving with strided stores, at 30 %.
package struct StridePhases {
    let g: ConvolutionGeometry
    /// The geometry of the phase with the most taps (0, 0), whose padding the shared copy has.
    let widest: ConvolutionGeometry

    /// When the phases apply: stride > 1, no padding, the kernel at least the stride (every
    /// phase has a tap), the input exactly covered, and few enough channels for direct tiles.
    package init?(_ g: ConvolutionGeometry) {
        guard g.strideHeight > 1 || g.strideWidth > 1, g.paddingHeight == 0, g.paddingWidth == 0,
              g.kernelHeight >= g.strideHeight, g.kernelWidth >= g.strideWidth,
              g.inputHeight == (g.outputHeight - 1) * g.strideHeight + g.kernelHeight,
              g.inputWidth == (g.outputWidth - 1) * g.strideWidth + g.kernelWidth else { return nil }
        self.g = g
        widest = Self.phaseGeometry(g, py: 0, px: 0)
        guard DirectConvolution.isSuitable(widest) else { return nil }
    }

    /// Phase (py, px) as a forward convolution of gradOutput [N, Cout, Ho, Wo] to [N, Cin, Hp, Wp].
    static func phaseGeometry(_ g: ConvolutionGeometry, py: Int, px: Int) -> ConvolutionGeometry {
        let my = (g.kernelHeight - py + g.strideHeight - 1) / g.strideHeight
        let mx = (g.kernelWidth - px + g.strideWidth - 1) / g.strideWidth
        return ConvolutionGeometry(batch: g.batch, inputChannels: g.outputChannels, inputHeight: g.outputHeight,
                                   inputWidth: g.outputWidth, outputChannels: g.inputChannels,
                                   kernelHeight: my, kernelWidth: mx, paddingHeight: my - 1, paddingWidth: mx - 1,
                                   groups: g.groups)
    }

    /// `gradInput = ∂⟨conv(x, w), gradOutput⟩/∂x` (overwrites).
    func backwardInput(gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>) {
        run(gradOutput: gradOutput, weight: weight, sink: .planes(gradInput))
    }

    /// `output = upfirdn2d(gradInput, blur)` for the separable FIR filter `blur` (no up- or
    /// downsampling) without gradInput ever existing whole: StyleGAN2's up-convolution is this
    /// transposed convolution followed by a blur. Each thread keeps the phase rows its blocks
    /// produce in a small ring (a block's rows and the few before it that the filter reaches
    /// back to) and filters finished output rows out of it while they are in cache. The 1024-px
    /// level's 128 MiB intermediate — a buffer of fresh pages and a pass over memory each way —
    /// is gone; the result is bit for bit `Upfirdn.forward` of the unfused output.
    package func backwardInputBlurred(gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                              blur: SeparableBlur, output: UnsafeMutablePointer<Float>) {
        run(gradOutput: gradOutput, weight: weight,
            sink: .blurred(blur, output, rows: 0..<blur.outputHeight, planeStride: blur.outputHeight * blur.outputWidth))
    }

    /// Rows `rows` of `backwardInputBlurred`'s output, the same bits: row y of plane p (image,
    /// channel) goes to `output + p·planeStride + (y − rows.lowerBound)·Wo`. Only the blocks of
    /// phase rows under those rows run, plus the few rows before them that the blur reaches back
    /// to — so a consumer can take the output a band at a time (`Tensor.convTranspose2dBlurredRows`).
    package func backwardInputBlurred(gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>, blur: SeparableBlur,
                                      rows: Range<Int>, output: UnsafeMutablePointer<Float>, planeStride: Int) {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= blur.outputHeight && planeStride >= rows.count * blur.outputWidth,
                     "StridePhases.backwardInputBlurred: rows \(rows) of \(blur.outputHeight), plane stride \(planeStride)")
        guard !rows.isEmpty else { return }
        run(gradOutput: gradOutput, weight: weight, sink: .blurred(blur, output, rows: rows, planeStride: planeStride))
    }

    /// Where the phase rows go: straight into gradInput's planes, or through a blur (output rows
    /// `rows` only, `planeStride` floats apart per plane).
    private enum RowSink {
        case planes(UnsafeMutablePointer<Float>)
        case blurred(SeparableBlur, UnsafeMutablePointer<Float>, rows: Range<Int>, planeStride: Int)
    }

    /// The one-pass phase convolution, in parallel over (image, group, block of phase rows).
    private func run(gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>, sink: RowSink) {
        let (sy, sx) = (g.strideHeight, g.strideWidth)
        let phases = (0..<sy).flatMap { py in (0..<sx).map { px in Self.phaseGeometry(g, py: py, px: px) } }
        // One tile shape for every phase: the one for the phase with the most taps.
        let shape = ConvolutionTuning.shape(for: widest, file: TuningCache.shared)
        let (kh, kw) = (g.kernelHeight, g.kernelWidth)
        let cpg = g.inputChannelsPerGroup, opg = g.outputChannelsPerGroup
        // Blocks of phase rows t; the shared copy holds the gradOutput rows under them with the
        // widest phase's padding, and a narrower phase reads it shifted by the padding it lacks.
        let base = DirectConvolutionPlan(widest, shape: shape)
        let blockRows = base.blockRows, patchRows = base.patchRows, patchWidth = base.patchWidth
        let rowsOfPhases = widest.outputHeight, blocks = (rowsOfPhases + blockRows - 1) / blockRows
        let channelTiles = base.tiles                        // tiles of this g's input channels
        let (h, w) = (g.inputHeight, g.inputWidth)
        // Each phase's weights packed as its own direct convolution's, one after another: tap
        // (j, i) of phase (py, px) is w[o, c, py + sy·(my−1−j), px + sx·(mx−1−i)].
        let plans = phases.map { DirectConvolutionPlan($0, shape: shape) }
        let offsets = plans.reduce(into: [0]) { $0.append($0.last! + $1.packedCount) }
        // The blur's ring of phase rows per thread: a block's rows and the kh − 1 before them.
        let ringRows: Int, ringCount: Int
        if case .blurred(let blur, _, _, _) = sink {
            precondition(blur.inputHeight == h && blur.inputWidth == w, "StridePhases: blur of \(blur.inputHeight)×\(blur.inputWidth) rows after a \(h)×\(w) output")
            ringRows = sy * blockRows + blur.column.count
            ringCount = cpg * ringRows * w + blur.scratchCount
        } else {
            ringRows = 0
            ringCount = 0
        }
        // Block b filters the output rows whose last phase row lies in its rows; with a blur,
        // only the blocks under the wanted output rows run.
        let reach: Int, blurBlocks: Range<Int>
        if case .blurred(let blur, _, let wanted, _) = sink {
            reach = blur.column.count - 1 - blur.padY0                  // output row y needs phase rows ≤ y + reach
            // (The last block also filters every row past its phase rows.)
            blurBlocks = min(blocks - 1, max(0, (wanted.lowerBound + reach) / sy / blockRows))
                ..< min(blocks, max(0, (wanted.upperBound - 1 + reach) / sy / blockRows) + 1)
        } else {
            reach = 0
            blurBlocks = 0..<blocks
        }
        func firstOutputRow(_ block: Int) -> Int {
            guard case .blurred(let blur, _, _, _) = sink else { return 0 }
            return block == 0 ? 0 : min(blur.outputHeight, max(0, sy * block * blockRows - reach))
        }
        ScratchBuffers.with(count: offsets.last!) { packed in
            for (index, plan) in plans.enumerated() {
                let (py, px) = (index / sx, index % sx)
                let (my, mx) = (plan.g.kernelHeight, plan.g.kernelWidth)
                plan.pack(into: packed + offsets[index]) { group, c, o, tap in
                    let (j, i) = (tap / mx, tap % mx)
                    return weight[((group * opg + o) * cpg + c) * kh * kw + (py + sy * (my - 1 - j)) * kw + px + sx * (mx - 1 - i)]
                }
            }
            let weights = UnsafePointer(packed)
            let rowWidth = base.patchWidth                      // ≥ every phase's row, rounded to tiles
            let body = { (units: Range<Int>) in
                ScratchBuffers.with(count: opg * patchRows * patchWidth + sx * channelTiles * shape.channels * rowWidth + ringCount) { patch in
                    let rows = patch + opg * patchRows * patchWidth        // [sx][channel tiles · channels][rowWidth]
                    let ring = rows + sx * channelTiles * shape.channels * rowWidth
                    /// Phase rows sy·t … of blocks t ∈ [t0, t1) (at most `blockRows`) of image n, group
                    /// `group`, each row of channel c written where `target(c, row)` says.
                    func phaseRows(n: Int, group: Int, t0: Int, t1: Int, target: (Int, Int) -> UnsafeMutablePointer<Float>) {
                        base.fillPatch(patch, channels: gradOutput + (n * g.outputChannels + group * opg) * g.outputHeight * g.outputWidth,
                                       channelCount: opg, top: t0 - widest.paddingHeight, left: -widest.paddingWidth)
                        for t in t0..<t1 {
                            for py in 0..<sy {
                                let rowIndex = sy * t + py
                                guard rowIndex < h else { continue }
                                for px in 0..<sx {
                                    let phase = phases[py * sx + px]
                                    let (my, mx) = (phase.kernelHeight, phase.kernelWidth)
                                    // This phase's window: shifted past the padding it does not have.
                                    let window = patch + (t - t0 + widest.kernelHeight - my) * patchWidth + (widest.kernelWidth - mx)
                                    let out = rows + px * channelTiles * shape.channels * rowWidth
                                    for tile in 0..<channelTiles {
                                        let plan = plans[py * sx + px]
                                        let tileWeights = weights + offsets[py * sx + px] + (group * channelTiles + tile) * plan.tileStride
                                        var u0 = 0
                                        while u0 < phase.outputWidth {
                                            shape.tile(opg, my, mx, patchRows * patchWidth, patchWidth, window + u0, tileWeights, nil,
                                                       out + tile * shape.channels * rowWidth + u0, rowWidth)
                                            u0 += shape.pixels
                                        }
                                    }
                                }
                                // Interleave the phases' rows: gradInput[n, c, sy·t + py, sx·u + px].
                                for c in 0..<cpg {
                                    let target = target(c, rowIndex)
                                    if sx == 2 {
                                        // Both phases in one contiguous pass (it vectorises as unpacks).
                                        let even = rows + c * rowWidth, odd = rows + (channelTiles * shape.channels + c) * rowWidth
                                        for u in 0..<w / 2 {
                                            target[2 * u] = even[u]
                                            target[2 * u + 1] = odd[u]
                                        }
                                        if w % 2 == 1 { target[w - 1] = even[w / 2] }
                                        continue
                                    }
                                    for px in 0..<sx {
                                        let source = rows + (px * channelTiles * shape.channels + c) * rowWidth
                                        let count = (w - px + sx - 1) / sx
                                        for u in 0..<count { target[sx * u + px] = source[u] }
                                    }
                                }
                            }
                        }
                    }
                    switch sink {
                    case .planes(let gradInput):
                        let gradInputShared = SharedPointer(gradInput)
                        for unit in units {
                            let block = unit % blocks, item = unit / blocks
                            let n = item / g.groups, group = item % g.groups
                            phaseRows(n: n, group: group, t0: block * blockRows, t1: min(rowsOfPhases, (block + 1) * blockRows)) { c, row in
                                gradInputShared.base + ((n * g.inputChannels + group * cpg + c) * h + row) * w
                            }
                        }
                    case .blurred(let blur, let output, let wanted, let planeStride):
                        let outputShared = SharedPointer(output)
                        let (ho, wo) = (blur.outputHeight, blur.outputWidth)
                        let (firstBlock, blockCount) = (blurBlocks.lowerBound, blurBlocks.count)
                        let ringRow = { (c: Int, row: Int) in ring + (c * ringRows + row % ringRows) * w }
                        let filtered = ring + cpg * ringRows * w
                        var ringItem = -1, ringEnd = 0                        // the ring holds item's rows up to ringEnd
                        for unit in units {
                            let block = firstBlock + unit % blockCount, item = unit / blockCount
                            let n = item / g.groups, group = item % g.groups
                            let t0 = block * blockRows, t1 = min(rowsOfPhases, t0 + blockRows)
                            // This block's output rows, within the wanted ones.
                            let y0 = max(wanted.lowerBound, firstOutputRow(block))
                            let y1 = min(wanted.upperBound, block == blocks - 1 ? ho : firstOutputRow(block + 1))
                            if item != ringItem || ringEnd != sy * t0 {
                                // A new run of blocks: first the rows before this block that its outputs reach back to.
                                let first = max(0, y0 - blur.padY0) / sy
                                if first < t0 { phaseRows(n: n, group: group, t0: first, t1: t0, target: ringRow) }
                                ringItem = item
                            }
                            phaseRows(n: n, group: group, t0: t0, t1: t1, target: ringRow)
                            ringEnd = sy * t1
                            for c in 0..<cpg {
                                let plane = outputShared.base + (n * g.inputChannels + group * cpg + c) * planeStride
                                for y in y0..<max(y0, y1) {       // (a block may filter none of them)
                                    blur.filterRow(y, into: plane + (y - wanted.lowerBound) * wo, scratch: filtered) { row in
                                        row >= 0 && row < h ? UnsafePointer(ringRow(c, row)) : nil
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Parallel.forRanges(count: g.batch * g.groups * blurBlocks.count, minimumPerThread: 1, body)
        }
    }
}
