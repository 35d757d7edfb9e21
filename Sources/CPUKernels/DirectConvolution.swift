/// Direct stride-1 convolution for layers with few output channels (IR-SE50, AlexNet, …).
///
/// The implicit-im2col GEMM packs a K×P panel of the input and reuses each packed value once
/// per output channel; with 64 output channels the packing costs more than the arithmetic
/// (3×3 64→64 at 56² ran at half PyTorch's speed). Here nothing is packed but the weights: a
/// register tile of 6 output channels × 32 output pixels of one row accumulates, for every input
/// channel and tap, two unaligned loads of a zero-padded input row times six broadcast weights.
enum DirectConvolution {
    typealias Vector = SIMD16<Float>
    static let tileChannels = 6
    static let tilePixels = 32

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
        // Padded input: rows wide enough for whole 32-pixel tiles, zeros around.
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
                        var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector(), a4 = Vector(), a5 = Vector()
                        var b0 = Vector(), b1 = Vector(), b2 = Vector(), b3 = Vector(), b4 = Vector(), b5 = Vector()
                        var wp = weights
                        for c in 0..<cpg {
                            let channel = inputBase + c * plane + x0
                            for i in 0..<kh {
                                let row = channel + i * paddedWidth
                                for j in 0..<kw {
                                    let v0 = UnsafeRawPointer(row + j).loadUnaligned(as: Vector.self)
                                    let v1 = UnsafeRawPointer(row + j + 16).loadUnaligned(as: Vector.self)
                                    let w0 = Vector(repeating: wp[0]), w1 = Vector(repeating: wp[1]), w2 = Vector(repeating: wp[2])
                                    let w3 = Vector(repeating: wp[3]), w4 = Vector(repeating: wp[4]), w5 = Vector(repeating: wp[5])
                                    a0 = a0.addingProduct(w0, v0); b0 = b0.addingProduct(w0, v1)
                                    a1 = a1.addingProduct(w1, v0); b1 = b1.addingProduct(w1, v1)
                                    a2 = a2.addingProduct(w2, v0); b2 = b2.addingProduct(w2, v1)
                                    a3 = a3.addingProduct(w3, v0); b3 = b3.addingProduct(w3, v1)
                                    a4 = a4.addingProduct(w4, v0); b4 = b4.addingProduct(w4, v1)
                                    a5 = a5.addingProduct(w5, v0); b5 = b5.addingProduct(w5, v1)
                                    wp += tileChannels
                                }
                            }
                        }
                        tileOutput.withUnsafeMutableBufferPointer { t in
                            let raw = UnsafeMutableRawPointer(t.baseAddress!)
                            for (r, (lo, hi)) in [(a0, b0), (a1, b1), (a2, b2), (a3, b3), (a4, b4), (a5, b5)].enumerated() {
                                raw.storeBytes(of: lo, toByteOffset: r * tilePixels * 4, as: Vector.self)
                                raw.storeBytes(of: hi, toByteOffset: (r * tilePixels + 16) * 4, as: Vector.self)
                            }
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
