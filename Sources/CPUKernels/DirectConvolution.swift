/// Direct stride-1 convolution for layers with few output channels (IR-SE50, AlexNet, …).
///
/// The implicit-im2col GEMM packs a K×P panel of the input and reuses each packed value once
/// per output channel; with 64 output channels the packing costs more than the arithmetic
/// (3×3 64→64 at 56² ran at half PyTorch's speed). Here nothing is packed but the weights: a
/// register tile of 6 output channels × 2 vectors of output pixels of one row (32 pixels with
/// AVX-512) accumulates, for every input channel and tap, two unaligned loads of a zero-padded
/// input row times six broadcast weights (the tile is C: `KernelDispatch.convolutionTile`).
enum DirectConvolution {
    static let tileChannels = 6
    static let tilePixels = Int(KernelDispatch.table.convolutionPixels)

    /// Whether the direct path suits `g` (stride 1, at most 256 output channels per group — measured
    /// faster than the GEMM path up to 256 channels at 128², slower at 512 —, rows wide
    /// enough to fill a register tile, not a plain GEMM).
    static func isSuitable(_ g: ConvolutionGeometry) -> Bool {
        g.strideHeight == 1 && g.strideWidth == 1 && g.outputChannelsPerGroup <= 256 && g.outputWidth >= 24
            && g.kernelHeight * g.kernelWidth > 1 && g.paddingHeight < g.kernelHeight && g.paddingWidth < g.kernelWidth
    }

    /// `output = conv2d(input, weight) + bias` for a geometry `isSuitable` accepts (overwrites).
    static func forward(_ g: ConvolutionGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let (ho, wo, kh, kw) = (g.outputHeight, g.outputWidth, g.kernelHeight, g.kernelWidth)
        let cpg = g.inputChannelsPerGroup, opg = g.outputChannelsPerGroup
        let taps = kh * kw
        // Padded input: rows wide enough for whole pixel tiles, zeros around.
        let paddedWidth = (wo + tilePixels - 1) / tilePixels * tilePixels + kw - 1
        let paddedHeight = g.inputHeight + 2 * g.paddingHeight
        let plane = paddedHeight * paddedWidth
        ScratchBuffers.with(count: g.batch * g.inputChannels * plane) { paddedPointer in
        let paddedShared = SharedPointer(paddedPointer)
        Parallel.forRanges(count: g.batch * g.inputChannels, minimumPerThread: 8) { range in
            for planeIndex in range {
                let source = input + planeIndex * g.inputHeight * g.inputWidth
                let target = paddedShared.base + planeIndex * plane
                target.update(repeating: 0, count: plane)
                for y in 0..<g.inputHeight {
                    (target + (y + g.paddingHeight) * paddedWidth + g.paddingWidth).update(from: source + y * g.inputWidth, count: g.inputWidth)
                }
            }
        }
        // Weights per (group, channel tile): [c][tap][6], zero rows past the last channel.
        let tiles = (opg + tileChannels - 1) / tileChannels
        let tileStride = cpg * taps * tileChannels
        ScratchBuffers.with(count: g.groups * tiles * tileStride) { w in
        for group in 0..<g.groups {
            for tile in 0..<tiles {
                let base = w + (group * tiles + tile) * tileStride
                for c in 0..<cpg {
                    for tap in 0..<taps {
                        for r in 0..<tileChannels {
                            let o = tile * tileChannels + r
                            base[(c * taps + tap) * tileChannels + r] =
                                o < opg ? weight[((group * opg + o) * cpg + c) * taps + tap] : 0
                        }
                    }
                }
            }
        }
        let outputShared = SharedPointer(output)
        let packedWeights = UnsafePointer(w)
        let paddedInput = UnsafePointer(paddedPointer)
        // Work units: (image, group, output row).
        Parallel.forRanges(count: g.batch * g.groups * ho, minimumPerThread: 4) { range in
            var tileOutput = [Float](repeating: 0, count: tileChannels * tilePixels)
            for unit in range {
                let y = unit % ho, item = unit / ho
                let n = item / g.groups, group = item % g.groups
                let inputBase = paddedInput + (n * g.inputChannels + group * cpg) * plane + y * paddedWidth
                for tile in 0..<tiles {
                    let weights = packedWeights + (group * tiles + tile) * tileStride
                    var x0 = 0
                    while x0 < wo {
                        tileOutput.withUnsafeMutableBufferPointer { t in
                            KernelDispatch.convolutionTile(cpg, kh, kw, plane, paddedWidth, inputBase + x0, weights, t.baseAddress!)
                        }
                        let width = min(tilePixels, wo - x0)
                        for r in 0..<tileChannels {
                            let o = tile * tileChannels + r
                            guard o < opg else { break }
                            let channel = group * opg + o
                            let b = bias?[channel] ?? 0
                            let target = outputShared.base + ((n * g.outputChannels + channel) * ho + y) * wo + x0
                            for x in 0..<width { target[x] = tileOutput[r * tilePixels + x] + b }
                        }
                        x0 += tilePixels
                    }
                }
            }
        }
        }
        }
    }
}
