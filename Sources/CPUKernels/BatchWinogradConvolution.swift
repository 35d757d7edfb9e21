/// Winograd F(2×2, 3×3) for batches of small images, the batch's images as the register tile's
/// columns — GAN training's 4×4 and 8×8 layers at batch 32.
///
/// Why: `WinogradConvolution` transforms one image's rows at a time, vectorised along a row of
/// tiles; a 4×4 image has two tiles a row, so there the transforms and their per-image parallel
/// regions cost three times its products, and the tapwise path (which skips the taps on the
/// padding but multiplies 25 of every 36 taps) stayed at ~0.94× PyTorch on AMD Zen 4. Here the
/// same algorithm (U = G g Gᵀ, V = Bᵀ d B, M_ξ = U_ξ · V_ξ, Y = Aᵀ M A; see
/// `WinogradConvolution` for the matrices) runs with NR images side by side in every value:
///
///   V_ξ[t][ci][n] = (Bᵀ d B)[ξ] of image n's patch under tile t, channel ci
///
/// so every transform is a few vector additions over NR lanes whatever the image size, and one
/// (ξ, tile)'s `[Cin][NR]` block of V already is a packed B panel for the GEMM's micro-kernel —
/// B is never packed, as in `TapwiseConvolution`. The products are 16 multiply-adds per input
/// channel for 4 outputs where the tapwise path does ~25 at 4×4 (~30 at 8×8).
///
/// Bits: each output's product is one tile chain over the input channels in order, summed by one
/// thread (each thread owns a range of MR-row panels of M); transforms are per value — so the
/// bits do not depend on the thread count, and an image's outputs do not depend on the others in
/// its group. Accuracy as `WinogradConvolution` (the same transforms).
package enum BatchWinogradConvolution {
    /// Largest output plane that takes this path (8×8). At 16×16 (128 channels, batch 32) the two
    /// Winograd paths ran about even on AMD Zen 4 — a 16×16 row is wide enough for
    /// `WinogradConvolution`'s row-wise transforms — so that layer stays where it was measured.
    package static let maximumOutputPixels = 64

    /// Whether `Convolution.forward` should take this path: 3×3, stride 1, padding ≤ 2 (what
    /// Winograd runs), one group, at least NR images, output planes of at most 8×8, and channels
    /// enough for the transforms to pay (`WinogradConvolution.minimumChannels` each way).
    package static func isFaster(_ g: ConvolutionGeometry) -> Bool {
        WinogradConvolution.isSuitable(g) && g.groups == 1
            && g.batch >= GemmMicroKernel.nr
            && g.outputHeight > 0 && g.outputWidth > 0 && g.outputHeight * g.outputWidth <= maximumOutputPixels
            && g.inputChannels >= WinogradConvolution.minimumChannels
            && g.outputChannels >= WinogradConvolution.minimumChannels
    }

    /// Floats of V (and of M) for one band of tiles: tile rows are taken in bands of at most this
    /// many `16 · channels · NR`-float tiles (8 MiB; at 256 channels and AVX-512 a band is eight
    /// tiles: a whole 4×4 image, half an 8×8 one).
    package static let bandFloats = 1 << 21

    /// Floats of the per-thread buffers that hold a block of channels in lanes (padded input
    /// planes, or tiled outputs) between the images' planes and V or M: 64 KiB, within L2
    /// everywhere. Blocks let the planes be read and written in memory order.
    static let blockFloats = 1 << 14

    /// `output = conv2d(input, weight) + bias` (overwrites `output`), NCHW as `Convolution.forward`,
    /// for any geometry `WinogradConvolution.isSuitable` accepts with one group (`bandFloats`:
    /// tests set it small to take an image in several bands).
    package static func forward(_ g: ConvolutionGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                                bandFloats: Int = bandFloats) {
        precondition(WinogradConvolution.isSuitable(g) && g.groups == 1, "BatchWinogradConvolution.forward: \(g)")
        let plan = WinogradPlan(g)
        let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
        let cin = g.inputChannels, cout = g.outputChannels
        let rowPanels = (cout + mr - 1) / mr, paddedRows = rowPanels * mr
        let kcMax = GemmDriver.depthBlock(k: cin)
        let tileRows = plan.tileRows, tileColumns = plan.tileColumns
        let bandTileRows = max(1, min(tileRows, bandFloats / (16 * max(cin, paddedRows) * nr * tileColumns)))
        let bandTiles = bandTileRows * tileColumns
        let inputPixels = g.inputHeight * g.inputWidth, outputPixels = g.outputHeight * g.outputWidth
        let inputImage = cin * inputPixels, outputImage = cout * outputPixels
        // One image's channel, padded: `[2·tileRows + 2][2·tileColumns + 2][NR]`, zero outside the
        // image and past the batch, so every tile reads its 4×4 patch without a bounds check.
        let paddedHeight = 2 * tileRows + 2, paddedWidth = 2 * tileColumns + 2
        // One output channel's tiles, `[2·tileRows][2·tileColumns][NR]`, before the cut at the edges.
        let tiledHeight = 2 * tileRows, tiledWidth = 2 * tileColumns
        // From one ξ's block of V (or M) to the next: a cache line past the band's floats, which
        // are often a power of two (128 KiB at 4 tiles, 256 channels, NR 32) — at such distances
        // the 16 blocks a tile writes or reads fall into the same cache sets.
        let vStride = bandTiles * cin * nr + 16, mStride = bandTiles * paddedRows * nr + 16
        let vCount = 16 * vStride, mCount = 16 * mStride
        ScratchBuffers.with(count: 16 * plan.weightStride) { packedWeights in
            // U_ξ in the GEMM's packed layout: depth blocks of kcMax, `[kc][MR]` per MR-row panel.
            plan.transformAndPackWeights(weight, into: packedWeights)
            let weights = UnsafePointer(packedWeights)
            ScratchBuffers.with(count: vCount + mCount) { scratch in
                let transformed = SharedPointer(scratch), products = SharedPointer(scratch + vCount)
                var first = 0
                while first < g.batch {
                    let images = min(nr, g.batch - first)
                    var firstTileRow = 0
                    while firstTileRow < tileRows {
                        let band = firstTileRow..<min(tileRows, firstTileRow + bandTileRows)
                        // V[ξ·vStride + (t·Cin + ci)·NR + n], a thread per range of channels.
                        let paddedFloats = paddedHeight * paddedWidth * nr
                        Parallel.forRanges(count: cin, minimumPerThread: 8) { channels in
                            Self.forEachBlock(of: channels, floatsEach: paddedFloats) { padded, block in
                                padded.update(repeating: 0, count: block.count * paddedFloats)
                                // Image by image, the block's planes in order: they are neighbours
                                // in memory, where one channel's planes lie an image apart and
                                // each was a cache miss the prefetchers did not see coming.
                                for n in 0..<images {
                                    let planes = input + (first + n) * inputImage + block.lowerBound * inputPixels
                                    for c in 0..<block.count {
                                        let plane = planes + c * inputPixels
                                        let channel = padded + c * paddedFloats + n
                                        for y in 0..<g.inputHeight {
                                            let to = channel + ((y + g.paddingHeight) * paddedWidth + g.paddingWidth) * nr
                                            let from = plane + y * g.inputWidth
                                            for x in 0..<g.inputWidth { to[x * nr] = from[x] }
                                        }
                                    }
                                }
                                for (c, ci) in block.enumerated() {
                                    for tileRow in band {
                                        for tileColumn in 0..<tileColumns {
                                            let t = (tileRow - band.lowerBound) * tileColumns + tileColumn
                                            let patch = padded + c * paddedFloats + (2 * tileRow * paddedWidth + 2 * tileColumn) * nr
                                            Self.transformPatch(patch, rowStride: paddedWidth * nr, lanes: nr,
                                                                into: transformed.base + (t * cin + ci) * nr, positionStride: vStride)
                                        }
                                    }
                                }
                            }
                        }
                        // M_ξ = U_ξ · V_ξ per tile, then Y = Aᵀ M A for the thread's own channels.
                        Parallel.forRanges(count: rowPanels, minimumPerThread: 2) { panels in
                            for xi in 0..<16 {
                                let u = weights + xi * plan.weightStride
                                for t in 0..<band.count * tileColumns {
                                    let v = UnsafePointer(transformed.base + xi * vStride + t * cin * nr)
                                    let m = products.base + xi * mStride + t * paddedRows * nr
                                    var pc = 0
                                    while pc < cin {
                                        let kc = min(kcMax, cin - pc)
                                        for panel in panels {
                                            GemmMicroKernel.fullTile(kc, u + pc * paddedRows + panel * mr * kc, v + pc * nr,
                                                                     m + panel * mr * nr, nr, pc > 0)
                                        }
                                        pc += kc
                                    }
                                }
                            }
                            let outputRows = (2 * band.lowerBound)..<min(g.outputHeight, 2 * band.upperBound)
                            let channels = (panels.lowerBound * mr)..<min(cout, panels.upperBound * mr)
                            let tiledFloats = tiledHeight * tiledWidth * nr
                            Self.forEachBlock(of: channels, floatsEach: tiledFloats) { tiled, block in
                                for (c, co) in block.enumerated() {
                                    for tileRow in band {
                                        for tileColumn in 0..<tileColumns {
                                            let t = (tileRow - band.lowerBound) * tileColumns + tileColumn
                                            Self.transformProducts(products.base + (t * paddedRows + co) * nr,
                                                                   positionStride: mStride, lanes: nr,
                                                                   into: tiled + c * tiledFloats
                                                                       + (2 * tileRow * tiledWidth + 2 * tileColumn) * nr,
                                                                   rowStride: tiledWidth * nr)
                                        }
                                    }
                                }
                                // Image by image, the block's planes in order (neighbours in memory).
                                for n in 0..<images {
                                    let planes = output + (first + n) * outputImage + block.lowerBound * outputPixels
                                    for (c, co) in block.enumerated() {
                                        let add = bias?[co] ?? 0
                                        let plane = planes + c * outputPixels, channel = tiled + c * tiledFloats + n
                                        for y in outputRows {
                                            let to = plane + y * g.outputWidth, from = channel + y * tiledWidth * nr
                                            for x in 0..<g.outputWidth { to[x] = from[x * nr] + add }
                                        }
                                    }
                                }
                            }
                        }
                        firstTileRow = band.upperBound
                    }
                    first += images
                }
            }
        }
    }

    /// Calls `body` on consecutive blocks of `channels`, as many as fit `blockFloats` at
    /// `floatsEach` floats a channel (at least one), with a buffer for a block that is this
    /// thread's for the whole loop.
    private static func forEachBlock(of channels: Range<Int>, floatsEach: Int,
                                     _ body: (UnsafeMutablePointer<Float>, Range<Int>) -> Void) {
        let size = max(1, min(channels.count, blockFloats / floatsEach))
        withUnsafeTemporaryAllocation(of: Float.self, capacity: size * floatsEach) { buffer in
            var first = channels.lowerBound
            while first < channels.upperBound {
                let block = first..<min(channels.upperBound, first + size)
                body(buffer.baseAddress!, block)
                first = block.upperBound
            }
        }
    }

    /// V[ξ] = (Bᵀ d B)[ξ] over `lanes` lanes, for the 4×4 patch d at `patch` (rows `rowStride`
    /// floats apart, pixels `lanes` apart), written to `to + ξ · positionStride`.
    ///
    ///     Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
    @inline(__always)
    static func transformPatch(_ patch: UnsafePointer<Float>, rowStride: Int, lanes: Int,
                               into to: UnsafeMutablePointer<Float>, positionStride: Int) {
        for lane in stride(from: 0, to: lanes, by: 8) {
            // Bᵀ d, a column j of d at a time: c_j.i = (Bᵀ d)[i][j].
            let r0 = patch + lane, r1 = r0 + rowStride, r2 = r1 + rowStride, r3 = r2 + rowStride
            let c0 = inputRows(load(r0), load(r1), load(r2), load(r3))
            let c1 = inputRows(load(r0 + lanes), load(r1 + lanes), load(r2 + lanes), load(r3 + lanes))
            let c2 = inputRows(load(r0 + 2 * lanes), load(r1 + 2 * lanes), load(r2 + 2 * lanes), load(r3 + 2 * lanes))
            let c3 = inputRows(load(r0 + 3 * lanes), load(r1 + 3 * lanes), load(r2 + 3 * lanes), load(r3 + 3 * lanes))
            // (Bᵀ d) B, a row i at a time: ξ = 4i + j.
            let out = to + lane
            store(inputRows(c0.0, c1.0, c2.0, c3.0), out, positionStride)
            store(inputRows(c0.1, c1.1, c2.1, c3.1), out + 4 * positionStride, positionStride)
            store(inputRows(c0.2, c1.2, c2.2, c3.2), out + 8 * positionStride, positionStride)
            store(inputRows(c0.3, c1.3, c2.3, c3.3), out + 12 * positionStride, positionStride)
        }
    }

    /// Bᵀ x for four values x₀…x₃ (Bᵀ's rows: x₀ − x₂, x₁ + x₂, x₂ − x₁, x₁ − x₃).
    @inline(__always)
    private static func inputRows(_ x0: SIMD8<Float>, _ x1: SIMD8<Float>, _ x2: SIMD8<Float>, _ x3: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        (x0 - x2, x1 + x2, x2 - x1, x1 - x3)
    }

    /// Y = Aᵀ m A over `lanes` lanes for m[ξ] at `products + ξ · positionStride`, written as the
    /// tile's 2×2 pixels at `to` (rows `rowStride` floats apart, pixels `lanes` apart).
    ///
    ///     Aᵀ = [1 1 1 0; 0 1 −1 −1]
    @inline(__always)
    static func transformProducts(_ products: UnsafePointer<Float>, positionStride: Int, lanes: Int,
                                  into to: UnsafeMutablePointer<Float>, rowStride: Int) {
        for lane in stride(from: 0, to: lanes, by: 8) {
            // Aᵀ m, a column j of m at a time: c_j.a = (Aᵀ m)[a][j]; m[i][j] is ξ = 4i + j.
            let m = products + lane, s = positionStride
            let c0 = outputRows(load(m), load(m + 4 * s), load(m + 8 * s), load(m + 12 * s))
            let c1 = outputRows(load(m + s), load(m + 5 * s), load(m + 9 * s), load(m + 13 * s))
            let c2 = outputRows(load(m + 2 * s), load(m + 6 * s), load(m + 10 * s), load(m + 14 * s))
            let c3 = outputRows(load(m + 3 * s), load(m + 7 * s), load(m + 11 * s), load(m + 15 * s))
            // (Aᵀ m) A, a row a at a time.
            let top = outputRows(c0.0, c1.0, c2.0, c3.0), bottom = outputRows(c0.1, c1.1, c2.1, c3.1)
            let out = to + lane
            store(top.0, out)
            store(top.1, out + lanes)
            store(bottom.0, out + rowStride)
            store(bottom.1, out + rowStride + lanes)
        }
    }

    /// Aᵀ x for four values x₀…x₃ (Aᵀ's rows: x₀ + x₁ + x₂, x₁ − x₂ − x₃).
    @inline(__always)
    private static func outputRows(_ x0: SIMD8<Float>, _ x1: SIMD8<Float>, _ x2: SIMD8<Float>, _ x3: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>) {
        (x0 + x1 + x2, x1 - x2 - x3)
    }

    @inline(__always)
    private static func store(_ v: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>),
                              _ p: UnsafeMutablePointer<Float>, _ stride: Int) {
        store(v.0, p)
        store(v.1, p + stride)
        store(v.2, p + 2 * stride)
        store(v.3, p + 3 * stride)
    }

    @inline(__always) private static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) private static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }
}
