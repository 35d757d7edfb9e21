/// Stride-1 convolutions of small images over a batch, one kernel tap at a time, with the
/// batch's images as the register tile's columns — so the taps that fall on the zero padding
/// are never multiplied.
///
/// Why: at 4×4 pixels with padding 1, a 3×3 layer's im2col product multiplies 44 of every 144
/// taps by padding zeros (31 %; at 8×8 16 %), and its columns are a handful of pixels per image.
/// oneDNN runs these layers as a direct convolution that skips those taps, and led our
/// im2col GEMM 2.4× at 4×4 (`conv3x3_256_4_b32`). Here, for NR images at a time:
///
///   out[co, p, n] = Σ_taps Σ_ci W[co, ci, tap] · in[ci, p + offset(tap), n]
///
/// is, for each output pixel p and each tap whose input pixel lies inside the image, one
/// MR×NR tile over k = Cin: A = that tap's weights (packed `[Cin, MR]` per MR output channels),
/// B = the NR images' channels at one input pixel — which, with the input transposed once to
/// `[pixel][Cin][NR]`, already is a packed B panel, so B is never packed. Taps are the outer loop
/// (one tap's packed weights, `Cin·Cout` floats, stay in L2 across the pixels) and each thread
/// owns a range of MR-row panels of C, so every output is summed by one thread in one order:
/// over the valid taps in order, and over ci inside each — whatever the thread count. Taps on
/// the padding are skipped rather than multiplied by zero, which adds nothing, so equal input
/// windows still give equal outputs (as a direct sum does; max pooling after it breaks ties as
/// PyTorch does).
///
/// `Convolution.forward` asks `BatchWinogradConvolution` first: 3×3 layers with ≥ 128 channels
/// each way multiply less there (16 multiply-adds per channel for four outputs against ~25 here
/// at 4×4) and it now takes `conv3x3_256_4_b32`; this path keeps the other kernels and the
/// shallower layers, and stays tie-exact where Winograd is not.
package enum TapwiseConvolution {
    /// Images per tile (the register tile's columns at this process's kernel level: 32 with
    /// AVX-512, 16 with AVX2 or NEON, 8 with SSE2).
    package static var imagesPerTile: Int { GemmMicroKernel.nr }

    /// Whether `forward` should take this path: one group, stride 1, not pointwise, at least NR
    /// images (the tile's columns), output planes of at most 8×8 (beyond, the valid taps are
    /// ≥ 84 % of all and Winograd or the batched GEMM lead), and enough channels for whole
    /// tiles (Cin ≥ 64 deep, Cout ≥ 2·MR).
    package static func isFaster(_ g: ConvolutionGeometry) -> Bool {
        g.groups == 1 && g.strideHeight == 1 && g.strideWidth == 1
            && (g.kernelHeight > 1 || g.kernelWidth > 1)
            && g.batch >= GemmMicroKernel.nr
            && g.outputHeight * g.outputWidth <= 64 && g.outputHeight > 0 && g.outputWidth > 0
            && g.inputChannels >= 64 && g.outputChannels >= 2 * GemmMicroKernel.mr
    }

    /// `output = conv2d(input, weight) + bias` (overwrites `output`), NCHW as `Convolution.forward`.
    package static func forward(_ g: ConvolutionGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        precondition(g.groups == 1 && g.strideHeight == 1 && g.strideWidth == 1, "TapwiseConvolution: one group, stride 1")
        let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
        let cin = g.inputChannels, cout = g.outputChannels
        let taps = g.kernelHeight * g.kernelWidth
        let rowPanels = (cout + mr - 1) / mr, paddedRows = rowPanels * mr
        let inputPixels = g.inputHeight * g.inputWidth, outputPixels = g.outputHeight * g.outputWidth
        // Depth of one tile call: all of Cin where it fits the GEMM's depth block.
        let depthBlock = GemmBlocking.kc
        // For each (tap, output pixel): the input pixel it reads, or −1 on the padding.
        var source = [Int](repeating: -1, count: taps * outputPixels)
        var firstTap = [Int](repeating: -1, count: outputPixels)
        for tap in 0..<taps {
            let i = tap / g.kernelWidth, j = tap % g.kernelWidth
            for p in 0..<outputPixels {
                let iy = p / g.outputWidth + i - g.paddingHeight, ix = p % g.outputWidth + j - g.paddingWidth
                guard iy >= 0 && iy < g.inputHeight && ix >= 0 && ix < g.inputWidth else { continue }
                source[tap * outputPixels + p] = iy * g.inputWidth + ix
                if firstTap[p] < 0 { firstTap[p] = tap }
            }
        }
        let packedWeightCount = taps * paddedRows * cin
        let groupInputCount = inputPixels * cin * nr, groupOutputCount = outputPixels * paddedRows * nr
        ScratchBuffers.with(count: packedWeightCount + groupInputCount + groupOutputCount) { scratch in
            let packed = SharedPointer(scratch)
            let columns = SharedPointer(scratch + packedWeightCount)
            let product = SharedPointer(scratch + packedWeightCount + groupInputCount)
            // A: packed[(tap·rowPanels + panel)·Cin·MR + ci·MR + r] = W[panel·MR + r, ci, tap], in
            // blocks of 16 input channels, one weight row at a time: each row's 16·taps floats are
            // read in order and land in the block's taps·16·MR floats, which stay in L1. (Reading
            // every ninth float tap by tap over whole rows, it was a tenth of a 4×4 layer's time.)
            Parallel.forRanges(count: rowPanels, minimumPerThread: 4) { panels in
                let tapStride = rowPanels * cin * mr
                for panel in panels {
                    let rows = max(0, min(mr, cout - panel * mr))
                    for ci0 in stride(from: 0, to: cin, by: 16) {
                        let width = min(16, cin - ci0)
                        let block = packed.base + panel * cin * mr + ci0 * mr
                        for r in 0..<mr {
                            guard r < rows else {
                                for tap in 0..<taps {
                                    for ci in 0..<width { block[tap * tapStride + ci * mr + r] = 0 }
                                }
                                continue
                            }
                            let from = weight + ((panel * mr + r) * cin + ci0) * taps
                            for ci in 0..<width {
                                let to = block + ci * mr + r
                                for tap in 0..<taps { to[tap * tapStride] = from[ci * taps + tap] }
                            }
                        }
                    }
                }
            }
            // A pixel whose every tap lies on the padding (padding ≥ kernel) sums nothing: zero
            // once, since no tile ever writes its rows.
            for p in 0..<outputPixels where firstTap[p] < 0 {
                (product.base + p * paddedRows * nr).update(repeating: 0, count: paddedRows * nr)
            }
            let inputImage = cin * inputPixels, outputImage = cout * outputPixels
            var first = 0
            while first < g.batch {
                let images = min(nr, g.batch - first)
                // B: columns[(q·Cin + ci)·NR + n] = input[first + n, ci, q] (zero past the batch).
                // Per channel, the NR images' planes are first copied side by side: read in place,
                // they lie an image apart (a multiple of 4 KiB at these sizes), map to one L1 set
                // and evicted each other on every pixel.
                Parallel.forRanges(count: cin, minimumPerThread: 16) { channels in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: nr * inputPixels) { planes in
                        let planes = planes.baseAddress!
                        for ci in channels {
                            let from = input + first * inputImage + ci * inputPixels
                            for n in 0..<images {
                                (planes + n * inputPixels).update(from: from + n * inputImage, count: inputPixels)
                            }
                            for q in 0..<inputPixels {
                                let to = columns.base + (q * cin + ci) * nr
                                for n in 0..<images { to[n] = planes[n * inputPixels + q] }
                                for n in images..<nr { to[n] = 0 }
                            }
                        }
                    }
                }
                // C: product[(p·paddedRows + co)·NR + n], each thread its MR-row panels, which it
                // then writes out: out[first + n, co, p] = product[p, co, n] + bias[co].
                let out = SharedPointer(output + first * outputImage)
                Parallel.forRanges(count: rowPanels, minimumPerThread: 2) { panels in
                    for tap in 0..<taps {
                        let weights = packed.base + tap * rowPanels * cin * mr
                        for p in 0..<outputPixels {
                            let q = source[tap * outputPixels + p]
                            guard q >= 0 else { continue }
                            let b = UnsafePointer(columns.base + q * cin * nr)
                            for ci0 in stride(from: 0, to: cin, by: depthBlock) {
                                let kc = min(depthBlock, cin - ci0)
                                let accumulate = tap != firstTap[p] || ci0 > 0
                                for panel in panels {
                                    GemmMicroKernel.fullTile(kc, weights + panel * cin * mr + ci0 * mr, b + ci0 * nr,
                                                             product.base + (p * paddedRows + panel * mr) * nr, nr, accumulate)
                                }
                            }
                        }
                    }
                    // Out, one channel at a time: its NR-float rows for every pixel copied together
                    // first (read in place, they lie a whole C row apart), then written image by image.
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: outputPixels * nr) { rows in
                        let rows = rows.baseAddress!
                        for co in (panels.lowerBound * mr)..<min(cout, panels.upperBound * mr) {
                            let add = bias?[co] ?? 0
                            for p in 0..<outputPixels {
                                (rows + p * nr).update(from: product.base + (p * paddedRows + co) * nr, count: images)
                            }
                            for n in 0..<images {
                                let to = out.base + n * outputImage + co * outputPixels
                                for p in 0..<outputPixels { to[p] = rows[p * nr + n] + add }
                            }
                        }
                    }
                }
                first += images
            }
        }
    }
}
