/// Fast 2-D convolutions on raw NCHW buffers (see `ConvolutionGeometry`), using every core.
///
/// Every pass is a GEMM per image and group (P = Ho·Wo, K = cpg·kh·kw):
///   forward         out[opg, P]   = W[opg, K] · columns[K, P]            (implicit im2col)
///   backwardInput   columns[K, P] = W[opg, K]ᵀ · dOut[opg, P], then col2im (scatter-add);
///                   with stride 1, a forward convolution with flipped weights instead
///   backwardWeight  dW[opg, K]   += dOut[opg, P] · columns[K, P]ᵀ        (implicit im2col)
/// 1×1, stride 1, unpadded convolutions skip im2col entirely. Many small (image, group) products
/// run one per thread; few large ones use every thread inside each product.
/// `forward` hands four kinds of layer to specialised paths: 3×3 stride-1 layers with ≥ 128 channels
/// each way on small images (≤ 8×8) in batches of at least NR to Winograd F(2×2, 3×3) with the
/// images as vector lanes (`BatchWinogradConvolution`); other small images in such batches to
/// `TapwiseConvolution`, which skips the taps on the padding; 3×3 stride-1 layers with ≥ 128
/// channels each way and ≥ 32×32 outputs to Winograd F(2×2, 3×3) (`WinogradConvolution`), and
/// other stride-1 layers with ≤ 256 output channels and wide rows to `DirectConvolution`.
///
/// ```swift
/// let g = ConvolutionGeometry(batch: 1, inputChannels: 512, inputHeight: 64, inputWidth: 64,
///                             outputChannels: 512, kernelHeight: 3, kernelWidth: 3,
///                             paddingHeight: 1, paddingWidth: 1)
/// Convolution.forward(g, input: x, weight: w, bias: b, output: y)   // y: [1, 512, 64, 64]
/// ```
package enum Convolution {
    /// `output = conv2d(input, weight) + bias` (overwrites `output`).
    /// input `[N, Cin, H, W]`, weight `[Cout, Cin/groups, kh, kw]`, bias `[Cout]`, output `[N, Cout, Ho, Wo]`.
    package static func forward(_ g: ConvolutionGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        if BatchWinogradConvolution.isFaster(g) {
            BatchWinogradConvolution.forward(g, input: input, weight: weight, bias: bias, output: output)
        } else if TapwiseConvolution.isFaster(g) {
            TapwiseConvolution.forward(g, input: input, weight: weight, bias: bias, output: output)
        } else if WinogradConvolution.isFaster(g) {
            WinogradConvolution.forward(g, input: input, weight: weight, bias: bias, output: output)
        } else if takesDirectPath(g) {
            DirectConvolution.forward(g, input: input, weight: weight, bias: bias, output: output)
        } else if multipliesImagesTogether(g) {
            batchedGemmForward(g, input: input, weight: weight, bias: bias, output: output)
        } else {
            gemmForward(g, input: input, weight: weight, bias: bias, output: output)
        }
    }

    /// Whether the GEMM paths multiply the whole batch in one product (`batchedGemmForward`, and
    /// `backwardWeight`'s batched product) rather than one product per image: one group, several
    /// images, not pointwise, and output planes of at most 16×16 pixels. Per image, such a layer's
    /// product is a few NR tiles wide, so every image streamed all of the weights again for a
    /// handful of columns each (a 256-channel 3×3 layer at 4×4 pixels: 2.4 MB of weights for 16
    /// columns, 32 times at batch 32). GAN training's small layers at batch 32, 256/256/128
    /// channels (medians of alternating runs, AMD Zen 4): 4×4 forward 87 → 126 GFLOP/s, input
    /// gradient 74 → 134, weight gradient 120 → 146; 8×8 forward unchanged (~153), weight gradient
    /// 151 → 167; 16×16 forward 134 → 150, weight gradient 137 → 143. (`forward` tries
    /// the batch Winograd, `TapwiseConvolution` and Winograd first: at batch 32 they now take those
    /// three forwards.)
    package static func multipliesImagesTogether(_ g: ConvolutionGeometry) -> Bool {
        g.groups == 1 && g.batch > 1 && g.outputHeight * g.outputWidth <= 256 && !Sizes(g).isPointwise
    }

    /// The GEMM path over the batch at once: `product[opg, N·P] = W[opg, K] · columns[K, N·P]`
    /// (`BatchedIm2colColumns`: image after image), then each image's planes copied out. Every
    /// output is summed over k exactly as in `gemmForward` (same depth blocks, same multiply-add
    /// order, from the same bias), so the bits are those of one product per image.
    private static func batchedGemmForward(_ g: ConvolutionGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                           bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let s = Sizes(g)
        // Images per product: the product buffer stays within 8 Mi floats (32 MiB).
        let imagesPerProduct = max(1, min(g.batch, (8 << 20) / max(1, s.opg * s.p)))
        let inputImage = g.inputChannels * s.inputPlane, outputImage = g.outputChannels * s.p
        let a = StridedMatrix(base: weight, rowStride: s.k, transposed: false)
        ScratchBuffers.with(count: s.opg * imagesPerProduct * s.p) { product in
            var first = 0
            while first < g.batch {
                let images = min(imagesPerProduct, g.batch - first)
                let columns = images * s.p
                if let bias {
                    for o in 0..<s.opg { (product + o * columns).update(repeating: bias[o], count: columns) }
                }
                let window = ConvolutionWindow(g, input: input + first * inputImage)
                GemmDriver.run(m: s.opg, n: columns, k: s.k, a: a,
                               b: BatchedIm2colColumns(window: window, imageFloats: inputImage),
                               c: product, ldc: columns, accumulate: bias != nil, threads: Parallel.threadCount)
                let from = SharedPointer(product), to = SharedPointer(output + first * outputImage)
                Parallel.forRanges(count: images * s.opg, minimumPerThread: 64) { planes in
                    for plane in planes {
                        let n = plane / s.opg, o = plane % s.opg
                        (to.base + n * outputImage + o * s.p).update(from: from.base + o * columns + n * s.p, count: s.p)
                    }
                }
                first += images
            }
        }
    }

    /// Whether `forward` runs `g` on `DirectConvolution` — the path whose output can also be
    /// handed over in row bands with the same bits (`DirectConvolution.forwardInRowBands`).
    /// The batch Winograd, the tapwise path and Winograd are tried first (the first two's ≤ 8×8
    /// outputs are too narrow for the direct path's rows); where Winograd is faster it beats the
    /// direct path too (2.25× fewer products; the direct path was tuned for ≤ 256 output channels
    /// on Zen 5 and lost 2× on Zen 4).
    package static func takesDirectPath(_ g: ConvolutionGeometry) -> Bool {
        !BatchWinogradConvolution.isFaster(g) && !TapwiseConvolution.isFaster(g) && !WinogradConvolution.isFaster(g)
            && DirectConvolution.isSuitable(g)
    }

    /// The im2col GEMM path: one product per image and group (see the type's comment).
    private static func gemmForward(_ g: ConvolutionGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let s = Sizes(g)
        let outputShared = SharedPointer(output)
        Parallel.forBatch(count: g.batch * g.groups, flopsPerItem: g.flops / Double(g.batch * g.groups)) { items, threads in
            for item in items {
                let n = item / g.groups, group = item % g.groups
                let x = input + (n * g.inputChannels + group * s.cpg) * s.inputPlane
                let y = outputShared.base + (n * g.outputChannels + group * s.opg) * s.p
                if let bias {
                    // The GEMM then accumulates onto the bias.
                    for o in 0..<s.opg { (y + o * s.p).update(repeating: bias[group * s.opg + o], count: s.p) }
                }
                let w = StridedMatrix(base: weight + group * s.opg * s.k, rowStride: s.k, transposed: false)
                if s.isPointwise {
                    GemmDriver.run(m: s.opg, n: s.p, k: s.k, a: w, b: StridedMatrix(base: x, rowStride: s.p, transposed: false),
                                   c: y, ldc: s.p, accumulate: bias != nil, threads: threads)
                } else {
                    GemmDriver.run(m: s.opg, n: s.p, k: s.k, a: w, b: Im2colColumns(window: ConvolutionWindow(g, input: x)),
                                   c: y, ldc: s.p, accumulate: bias != nil, threads: threads)
                }
            }
        }
    }

    /// `gradInput = ∂⟨output, gradOutput⟩/∂input` (overwrites). Also transposed convolution's
    /// forward: `conv_transpose2d(x, w)` is `backwardInput` with `gradOutput = x`.
    /// gradOutput `[N, Cout, Ho, Wo]`, weight `[Cout, Cin/groups, kh, kw]`, gradInput `[N, Cin, H, W]`.
    package static func backwardInput(_ g: ConvolutionGeometry, gradOutput: UnsafePointer<Float>,
                                     weight: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>) {
        let s = Sizes(g)
        let gradInputShared = SharedPointer(gradInput)
        if s.isPointwise {
            // dIn[cpg, P] = W[opg, cpg]ᵀ · dOut[opg, P]
            Parallel.forBatch(count: g.batch * g.groups, flopsPerItem: g.flops / Double(g.batch * g.groups)) { items, threads in
                for item in items {
                    let n = item / g.groups, group = item % g.groups
                    GemmDriver.run(m: s.cpg, n: s.p, k: s.opg,
                                   a: StridedMatrix(base: weight + group * s.opg * s.k, rowStride: s.k, transposed: true),
                                   b: StridedMatrix(base: gradOutput + (n * g.outputChannels + group * s.opg) * s.p,
                                                    rowStride: s.p, transposed: false),
                                   c: gradInputShared.base + (n * g.inputChannels + group * s.cpg) * s.inputPlane,
                                   ldc: s.p, accumulate: false, threads: threads)
                }
            }
            return
        }
        if g.strideHeight == 1 && g.strideWidth == 1
            && g.paddingHeight < g.kernelHeight && g.paddingWidth < g.kernelWidth {
            backwardInputAsConvolution(g, gradOutput: gradOutput, weight: weight, gradInput: gradInput)
            return
        }
        if let phases = StridePhases(g) {
            phases.backwardInput(gradOutput: gradOutput, weight: weight, gradInput: gradInput)
            return
        }
        // Work units: (image, group, run of input channels). A unit owns its gradInput planes, so
        // units never write the same memory and col2im needs no locks. Each unit's columns are
        // made a block of pixels at a time into a reused buffer.
        let taps = g.kernelHeight * g.kernelWidth
        let items = g.batch * g.groups
        var chunks = max(1, (s.cpg * taps + 511) / 512)                 // ≤ 512 column rows per unit
        let threads = Parallel.threadCount
        if items % threads != 0 && items * chunks < 16 * threads {
            chunks = (chunks + threads - 1) / threads * threads           // balance a few units
        }
        let channelsPerChunk = (s.cpg + min(chunks, s.cpg) - 1) / min(chunks, s.cpg)
        chunks = (s.cpg + channelsPerChunk - 1) / channelsPerChunk
        let maxRows = channelsPerChunk * taps
        // The GEMM repacks its A (Wᵀ rows, rows·opg floats) for every block, so blocks must be
        // long (2·pixels FLOPs per packed float). The block length fixes the order in which
        // col2im adds into each input pixel, so it depends on the geometry only, never on the
        // thread count: the same bits for any number of threads.
        let pixelsPerBlock = min(s.p, 1024)
        // Units are claimed dynamically; each is computed the same way whichever thread runs it.
        Parallel.forParts(items * chunks, threads: threads) { unit in
            ScratchBuffers.with(count: maxRows * pixelsPerBlock) { columns in
                let item = unit / chunks, chunk = unit % chunks
                let n = item / g.groups, group = item % g.groups
                let c0 = chunk * channelsPerChunk, c1 = min(s.cpg, c0 + channelsPerChunk)
                let rows = (c1 - c0) * taps
                let planes = gradInputShared.base + (n * g.inputChannels + group * s.cpg + c0) * s.inputPlane
                planes.update(repeating: 0, count: (c1 - c0) * s.inputPlane)
                let dOut = gradOutput + (n * g.outputChannels + group * s.opg) * s.p
                // W_gᵀ rows for channels c0..<c1: columns c0·taps… of the stored [opg, K] block.
                let wT = StridedMatrix(base: weight + group * s.opg * s.k + c0 * taps, rowStride: s.k, transposed: true)
                var pixel = 0
                while pixel < s.p {
                    let count = min(pixelsPerBlock, s.p - pixel)
                    GemmDriver.run(m: rows, n: count, k: s.opg, a: wT,
                                   b: StridedMatrix(base: dOut + pixel, rowStride: s.p, transposed: false),
                                   c: columns, ldc: count, accumulate: false, threads: 1)
                    col2im(g, columns: columns, rows: rows, pixels: pixel..<pixel + count, into: planes)
                    pixel += count
                }
            }
        }
    }

    /// Stride 1: the input gradient is itself a convolution — of gradOutput with the weights
    /// flipped in space and transposed per group, padded by k − 1 − p — so it runs on the
    /// forward kernel (implicit im2col) with no col2im pass. The flipped copy costs one pass
    /// over the weights.
    private static func backwardInputAsConvolution(_ g: ConvolutionGeometry, gradOutput: UnsafePointer<Float>,
                                                   weight: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>) {
        let cpg = g.inputChannelsPerGroup, opg = g.outputChannelsPerGroup
        let kh = g.kernelHeight, kw = g.kernelWidth, taps = kh * kw
        let flipped = ConvolutionGeometry(
            batch: g.batch, inputChannels: g.outputChannels, inputHeight: g.outputHeight, inputWidth: g.outputWidth,
            outputChannels: g.inputChannels, kernelHeight: kh, kernelWidth: kw,
            paddingHeight: kh - 1 - g.paddingHeight, paddingWidth: kw - 1 - g.paddingWidth, groups: g.groups)
        ScratchBuffers.with(count: g.weightCount) { flippedWeight in
            // flippedWeight[g·cpg + c, o, i, j] = weight[g·opg + o, c, kh−1−i, kw−1−j], on every
            // core, 16 input channels at a time: for each o their taps are one contiguous read,
            // and the 16 target rows each fill in order (a 512-channel layer's copy, read or
            // written 18 KiB apart, was ~2 % of its input gradient).
            let target = SharedPointer(flippedWeight)
            let block = 16, blocks = (cpg + block - 1) / block
            Parallel.forRanges(count: g.groups * blocks, minimumPerThread: 4) { units in
                for unit in units {
                    let group = unit / blocks, c0 = (unit % blocks) * block, c1 = min(cpg, c0 + block)
                    for o in 0..<opg {
                        let source = weight + ((group * opg + o) * cpg) * taps
                        for c in c0..<c1 {
                            let from = source + c * taps, to = target.base + ((group * cpg + c) * opg + o) * taps
                            for t in 0..<taps { to[t] = from[taps - 1 - t] }
                        }
                    }
                }
            }
            forward(flipped, input: gradOutput, weight: flippedWeight, bias: nil, output: gradInput)
        }
    }

    /// `gradWeight = ∂⟨output, gradOutput⟩/∂weight` (overwrites).
    /// gradOutput `[N, Cout, Ho, Wo]`, input `[N, Cin, H, W]`, gradWeight `[Cout, Cin/groups, kh, kw]`.
    package static func backwardWeight(_ g: ConvolutionGeometry, gradOutput: UnsafePointer<Float>,
                                      input: UnsafePointer<Float>, gradWeight: UnsafeMutablePointer<Float>) {
        let s = Sizes(g)
        if multipliesImagesTogether(g) {
            // One product over every image's pixels: dW[opg, K] = dOut[opg, N·P] · columns[K, N·P]ᵀ.
            // Per image, a 4×4 layer's product was 16 deep, and dW (2.4 MB at 256 channels) was
            // read and written again for each image.
            GemmDriver.run(m: s.opg, n: s.k, k: g.batch * s.p,
                           a: BatchedOutputPlanes(base: gradOutput, pixels: s.p, imageFloats: g.outputChannels * s.p),
                           b: BatchedIm2colRows(window: ConvolutionWindow(g, input: input),
                                                imageFloats: g.inputChannels * s.inputPlane),
                           c: gradWeight, ldc: s.k, accumulate: false, threads: Parallel.threadCount)
            return
        }
        let gradWeightShared = SharedPointer(gradWeight)
        // Groups are independent; images of one group accumulate into the same dW_g, in order.
        Parallel.forBatch(count: g.groups, flopsPerItem: g.flops / Double(g.groups)) { groups, threads in
            for group in groups {
                let dW = gradWeightShared.base + group * s.opg * s.k
                if g.batch == 0 { dW.update(repeating: 0, count: s.opg * s.k) }
                for n in 0..<g.batch {
                    let dOut = StridedMatrix(base: gradOutput + (n * g.outputChannels + group * s.opg) * s.p,
                                             rowStride: s.p, transposed: false)
                    let x = input + (n * g.inputChannels + group * s.cpg) * s.inputPlane
                    if s.isPointwise {
                        GemmDriver.run(m: s.opg, n: s.k, k: s.p, a: dOut, b: StridedMatrix(base: x, rowStride: s.p, transposed: true),
                                       c: dW, ldc: s.k, accumulate: n > 0, threads: threads)
                    } else {
                        GemmDriver.run(m: s.opg, n: s.k, k: s.p, a: dOut, b: Im2colRows(window: ConvolutionWindow(g, input: x)),
                                       c: dW, ldc: s.k, accumulate: n > 0, threads: threads)
                    }
                }
            }
        }
    }

    /// Adds unfolded columns `[rows, pixels]` (rows = (c, i, j) from channel 0 of `planes`) back
    /// onto the input planes `[channels, H, W]` they were gathered from.
    private static func col2im(_ g: ConvolutionGeometry, columns: UnsafePointer<Float>, rows: Int, pixels: Range<Int>,
                               into planes: UnsafeMutablePointer<Float>) {
        let wo = g.outputWidth, kw = g.kernelWidth, kh = g.kernelHeight
        let h = g.inputHeight, w = g.inputWidth, sw = g.strideWidth
        for row in 0..<rows {
            let j = row % kw, i = (row / kw) % kh, c = row / (kw * kh)
            let plane = planes + c * h * w
            var source = columns + row * pixels.count
            var p = pixels.lowerBound, y = p / wo, x = p % wo
            while p < pixels.upperBound {
                let run = min(wo - x, pixels.upperBound - p)
                let iy = y * g.strideHeight - g.paddingHeight + i
                if iy >= 0 && iy < h {
                    let target = plane + iy * w
                    let ix0 = x * sw - g.paddingWidth + j
                    if sw == 1 {
                        let lo = min(run, max(0, -ix0)), hi = max(lo, min(run, w - ix0))
                        for t in lo..<hi { target[ix0 + t] += source[t] }
                    } else {
                        for t in 0..<run {
                            let ix = ix0 + t * sw
                            if ix >= 0 && ix < w { target[ix] += source[t] }
                        }
                    }
                }
                source += run; p += run; x += run
                if x == wo { x = 0; y += 1 }
            }
        }
    }

    /// Per-group GEMM sizes.
    private struct Sizes {
        let cpg: Int, opg: Int
        /// Pixels per output plane (GEMM n in forward).
        let p: Int
        /// cpg·kh·kw (GEMM k in forward).
        let k: Int
        let inputPlane: Int
        /// 1×1, stride 1, no padding: the input planes already are the columns.
        let isPointwise: Bool

        init(_ g: ConvolutionGeometry) {
            cpg = g.inputChannelsPerGroup; opg = g.outputChannelsPerGroup
            p = g.outputHeight * g.outputWidth
            k = cpg * g.kernelHeight * g.kernelWidth
            inputPlane = g.inputHeight * g.inputWidth
            isPointwise = g.kernelHeight == 1 && g.kernelWidth == 1 && g.strideHeight == 1 && g.strideWidth == 1
                && g.paddingHeight == 0 && g.paddingWidth == 0
        }
    }
}
