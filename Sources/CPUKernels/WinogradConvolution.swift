/// Winograd's minimal filtering F(2×2, 3×3) for stride-1 3×3 convolutions with many channels
/// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", CVPR 2016; NNPACK and
/// oneDNN carry the same algorithm).
///
/// Every 2×2 block ("tile") of one output channel's pixels is
///
///     Y = Aᵀ · [ Σ_c (G g G ᵀ) ⊙ (Bᵀ d B) ] · A
///
/// with g the 3×3 filter of (output channel, input channel c) and d the 4×4 input patch under
/// the tile (zero outside the image). For each of the 16 positions ξ of the transformed 4×4
/// tile, the sum over input channels is a matrix product over all tiles t:
///
///     M_ξ[o, t] = Σ_c U_ξ[o, c] · V_ξ[c, t]      (U = G g Gᵀ, V = Bᵀ d B)
///
/// — 16 multiply-adds per input channel for 4 output pixels where the direct sum takes 36:
/// 2.25× fewer. The products run on the package's GEMM (`GemmDriver`), U packed once per call;
/// the transforms are a few additions per value, memory-bound, and pay off when the channels
/// are many (they cost per pixel and channel, the products per pixel and channel *pair*).
///
/// Accuracy: the coefficients (0, ±1, ±½) are exact in binary; each output is a sum of
/// 16·Cin products whose factors carry one or two more roundings than the direct sum's.
/// `ConvolutionTests` bounds the difference to a float64 reference by the same tolerance as the
/// other paths; whole models are held to their PyTorch tolerances. The bits do not depend on
/// the thread count (every product sums over channels in the GEMM's fixed order; transforms
/// are per value).
package enum WinogradConvolution {
    /// Input and output channels per group from which the transforms are worth their cost
    /// (they cost per pixel and channel, the products per pixel and channel *pair*).
    package static let minimumChannels = 128

    /// Output pixels from which Winograd is chosen (32×32). Measured on AMD Zen 4, 2 threads, in
    /// ms — Winograd / im2col GEMM / direct: 512 channels at 16×16 7 / 7.7 / –, at 32×32 18–24 /
    /// 25 / –, at 64×64 56 / 97 / –; 256 channels at 16×16 2.5 / 1.9 / –, at 32×32 5.7 / 6.3 /
    /// 12.8, at 128×128 65–100 / 100 / 177; 128 channels at 32×32 1.6–2.0 / 1.8 / 3.2, at
    /// 128×128 18–20 / 26.5 / 24. Below 32×32 the 16 products are too small to beat one GEMM.
    /// Small images of a batch count together, as many as share a band (`WinogradPlan.imagesPerBand`):
    /// at batch 32, 256 channels at 8×8 and 128 at 16×16 ran at ~221 and ~226 GFLOP/s (effective)
    /// against ~159 and ~154 on the batched GEMM; 4×4 (512 pixels a band) stays on the GEMM.
    package static let minimumPixels = 32 * 32

    /// Whether `forward` runs `g`: 3×3, stride 1, padding at most 2.
    package static func isSuitable(_ g: ConvolutionGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideHeight == 1 && g.strideWidth == 1
            && g.paddingHeight <= 2 && g.paddingWidth <= 2
    }

    /// Whether `Convolution.forward` should choose Winograd for `g`: suitable, with enough
    /// channels each way and enough output pixels in a band (see `minimumChannels`, `minimumPixels`).
    package static func isFaster(_ g: ConvolutionGeometry) -> Bool {
        isSuitable(g)
            && g.inputChannelsPerGroup >= minimumChannels && g.outputChannelsPerGroup >= minimumChannels
            && WinogradPlan(g).imagesPerBand * g.outputHeight * g.outputWidth >= minimumPixels
    }

    /// `output = conv2d(input, weight) + bias` for a geometry `isSuitable` accepts (overwrites).
    /// input `[N, Cin, H, W]`, weight `[Cout, Cin/groups, 3, 3]`, bias `[Cout]`, output `[N, Cout, Ho, Wo]`.
    package static func forward(_ g: ConvolutionGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        precondition(isSuitable(g), "WinogradConvolution.forward: \(g)")
        let plan = WinogradPlan(g)
        let cpg = plan.inputChannels, opg = plan.outputChannels
        let inputPlane = g.inputHeight * g.inputWidth, outputPlane = g.outputHeight * g.outputWidth
        let inputImage = g.inputChannels * inputPlane, outputImage = g.outputChannels * outputPlane
        ScratchBuffers.with(count: 16 * plan.weightStride) { packedWeights in
            ScratchBuffers.with(count: 16 * plan.inputStride) { transformedInput in
                ScratchBuffers.with(count: 16 * plan.productStride) { products in
                    for group in 0..<g.groups {
                        plan.transformAndPackWeights(weight + group * opg * cpg * 9, into: packedWeights)
                        let b = bias.map { $0 + group * opg }
                        // A band is either some tile rows of one image or, for small images
                        // (`imagesPerBand` > 1), several whole images, their tiles side by side
                        // in V and M so that the 16 products are wide enough to run fast.
                        var first = 0
                        while first < g.batch {
                            let images = min(plan.imagesPerBand, g.batch - first)
                            let x = input + (first * g.inputChannels + group * cpg) * inputPlane
                            let y = output + (first * g.outputChannels + group * opg) * outputPlane
                            var firstRow = 0
                            while firstRow < plan.tileRows {
                                let rows = firstRow..<min(plan.tileRows, firstRow + plan.bandTileRows)
                                let tiles = rows.count * plan.tileColumns
                                for i in 0..<images {
                                    plan.transformInput(x + i * inputImage, tileRows: rows, into: transformedInput + i * tiles)
                                }
                                plan.multiply(packedWeights: packedWeights, transformedInput: transformedInput,
                                              tiles: images * tiles, into: products)
                                for i in 0..<images {
                                    plan.transformOutput(products + i * tiles, tileRows: rows, bias: b, into: y + i * outputImage)
                                }
                                firstRow = rows.upperBound
                            }
                            first += images
                        }
                    }
                }
            }
        }
    }
}

/// The sizes of one Winograd convolution and its three passes, for one group of one image.
struct WinogradPlan {
    let inputChannels: Int, outputChannels: Int
    let height: Int, width: Int, outputHeight: Int, outputWidth: Int
    let paddingHeight: Int, paddingWidth: Int
    /// Tiles (2×2 output blocks) down and across; the last row and column may be half outside.
    let tileRows: Int, tileColumns: Int
    /// Tile rows per band: the transformed input and the products of one band are in memory at a
    /// time (about `targetBandTiles` tiles), so a 512-channel 64×64 layer needs 2 × 16 MiB, not
    /// 2 × 32 MiB, and a 1024-px generator's layers no more.
    let bandTileRows: Int
    /// Whole images per band: more than one when a whole image has fewer tiles than a band
    /// (GAN training's 4×4 to 16×16 layers at batch 32) — their tiles then sit side by side in
    /// one band, and the 16 products are as wide as a large image's.
    let imagesPerBand: Int
    /// Floats from one ξ's matrix to the next (U, V, M) and from one row of V or M to the next.
    /// Each is one cache line past a size that is often a power of two (1 MiB for a 512-channel
    /// U_ξ): the transforms write 16 matrices side by side, and at power-of-two distances all
    /// 16 streams fall into the same cache sets (packing U took 5–9 ms at 512 channels instead of ~1).
    let weightStride: Int, inputStride: Int, productStride: Int, rowStride: Int

    /// Tiles per band. Each band re-reads all of U (16·Cout·Cin floats) and writes and reads its
    /// transformed input and products (16·(Cin + Cout) floats per tile): a few hundred tiles keep
    /// U's share of that traffic below the tiles' own at 512 channels.
    static let targetBandTiles = 512

    init(_ g: ConvolutionGeometry) {
        inputChannels = g.inputChannelsPerGroup
        outputChannels = g.outputChannelsPerGroup
        height = g.inputHeight; width = g.inputWidth
        outputHeight = g.outputHeight; outputWidth = g.outputWidth
        paddingHeight = g.paddingHeight; paddingWidth = g.paddingWidth
        tileRows = (outputHeight + 1) / 2
        tileColumns = (outputWidth + 1) / 2
        bandTileRows = max(1, min(tileRows, Self.targetBandTiles / tileColumns))
        imagesPerBand = bandTileRows == tileRows
            ? max(1, min(g.batch, Self.targetBandTiles / (tileRows * tileColumns))) : 1
        let mr = GemmMicroKernel.mr
        // Floats of one packed U_ξ (`PackedLeft` layout: rows padded to the register tile).
        let packedWeightCount = (outputChannels + mr - 1) / mr * mr * inputChannels
        let skew = 16
        rowStride = imagesPerBand * bandTileRows * tileColumns + skew
        weightStride = packedWeightCount + skew
        inputStride = inputChannels * rowStride + skew
        productStride = outputChannels * rowStride + skew
    }

    /// U_ξ[o, c] = (G g_oc Gᵀ)[ξ] for the group's weights `[Cout/groups, Cin/groups, 3, 3]`, each
    /// ξ written straight into the GEMM's packed left-operand layout (`PackedLeft`: depth blocks
    /// of `GemmDriver.depthBlock`, MR-row panels `[kc][MR]` in each) at `packed + ξ · weightStride`.
    /// (Transforming into sixteen plain matrices and packing those took 7 ms at 512 channels —
    /// as long as the products of an 8×8 layer.)
    ///
    ///     G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
    func transformAndPackWeights(_ weight: UnsafePointer<Float>, into packed: UnsafeMutablePointer<Float>) {
        let cpg = inputChannels, opg = outputChannels, count = weightStride
        let mr = GemmMicroKernel.mr, kcMax = GemmDriver.depthBlock(k: cpg)
        let panels = (opg + mr - 1) / mr, paddedRows = panels * mr
        let target = SharedPointer(packed)
        Parallel.forRanges(count: panels, minimumPerThread: 4) { panelRange in
            for panel in panelRange {
                // Row r of the panel, then its channels in order: each ξ's writes for one c fill
                // MR neighbouring floats, and the panel's 16 · MR · Cin floats stay in cache.
                for r in 0..<mr {
                    let o = panel * mr + r
                    var pc = 0
                    while pc < cpg {
                        let kc = min(kcMax, cpg - pc)
                        let block = target.base + pc * paddedRows + panel * mr * kc + r
                        guard o < opg else {
                            // The last panel's padding rows: zeros (their products are never stored).
                            for xi in 0..<16 {
                                for d in 0..<kc { block[xi * count + d * mr] = 0 }
                            }
                            pc += kc
                            continue
                        }
                        for d in 0..<kc {
                            let g = weight + (o * cpg + pc + d) * 9
                            // t = G·g (4×3), as its three columns j.
                            let g00 = g[0], g01 = g[1], g02 = g[2], g10 = g[3], g11 = g[4], g12 = g[5]
                            let g20 = g[6], g21 = g[7], g22 = g[8]
                            let t0 = SIMD4<Float>(g00, 0.5 * (g00 + g10 + g20), 0.5 * (g00 - g10 + g20), g20)
                            let t1 = SIMD4<Float>(g01, 0.5 * (g01 + g11 + g21), 0.5 * (g01 - g11 + g21), g21)
                            let t2 = SIMD4<Float>(g02, 0.5 * (g02 + g12 + g22), 0.5 * (g02 - g12 + g22), g22)
                            // u = t·Gᵀ: column j of u; u[i][j] goes to ξ = 4i + j.
                            let u0 = t0, u1 = 0.5 * (t0 + t1 + t2), u2 = 0.5 * (t0 - t1 + t2), u3 = t2
                            let at = block + d * mr
                            for i in 0..<4 {
                                let row = at + 4 * i * count
                                row[0] = u0[i]
                                row[count] = u1[i]
                                row[2 * count] = u2[i]
                                row[3 * count] = u3[i]
                            }
                        }
                        pc += kc
                    }
                }
            }
        }
    }

    /// V_ξ[c, t] = (Bᵀ d_ct B)[ξ] for the tiles of `tileRows`, written `[16][Cin][band tiles]`.
    ///
    ///     Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
    ///
    /// Per channel and tile row, the four input rows under it are split into their even and odd
    /// columns (zero outside the image): tile t's columns are even[t], odd[t], even[t+1],
    /// odd[t+1], so both halves of the transform run on contiguous arrays, vectorised — first
    /// Bᵀ over the four rows, then B over each tile's columns.
    func transformInput(_ input: UnsafePointer<Float>, tileRows: Range<Int>, into transformed: UnsafeMutablePointer<Float>) {
        // A short last band leaves the end of every row of V unused: the strides stay the plan's.
        let cpg = inputChannels, columns = tileColumns, rowStride = self.rowStride
        let half = columns + 1                                // even (or odd) columns of a padded row
        let stride = inputStride                              // from V_ξ to V_ξ+1
        let target = SharedPointer(transformed)
        Parallel.forRanges(count: cpg, minimumPerThread: 4) { channels in
            ScratchBuffers.with(count: 16 * half) { scratch in
                let even = scratch, odd = scratch + 4 * half              // d_i split, i = 0…3
                let qEven = scratch + 8 * half, qOdd = scratch + 12 * half // (Bᵀ d)_i split
                for c in channels {
                    let plane = input + c * height * width
                    for tileRow in tileRows {
                        for i in 0..<4 {
                            let e = even + i * half, o = odd + i * half
                            let y = 2 * tileRow - paddingHeight + i
                            guard y >= 0 && y < height else {
                                e.update(repeating: 0, count: half)
                                o.update(repeating: 0, count: half)
                                continue
                            }
                            // Padded column x = 2t (+1) is input column x − paddingWidth.
                            let row = plane + y * width
                            for t in 0..<half {
                                let x = 2 * t - paddingWidth
                                e[t] = x >= 0 && x < width ? row[x] : 0
                                o[t] = x + 1 >= 0 && x + 1 < width ? row[x + 1] : 0
                            }
                        }
                        for (d, q) in [(even, qEven), (odd, qOdd)] {
                            let d0 = d, d1 = d + half, d2 = d + 2 * half, d3 = d + 3 * half
                            let q0 = q, q1 = q + half, q2 = q + 2 * half, q3 = q + 3 * half
                            for t in 0..<half {
                                q0[t] = d0[t] - d2[t]
                                q1[t] = d1[t] + d2[t]
                                q2[t] = d2[t] - d1[t]
                                q3[t] = d1[t] - d3[t]
                            }
                        }
                        let tileBase = (tileRow - tileRows.lowerBound) * columns
                        for i in 0..<4 {
                            let e = qEven + i * half, o = qOdd + i * half
                            let out = target.base + 4 * i * stride + c * rowStride + tileBase
                            let out1 = out + stride, out2 = out + 2 * stride, out3 = out + 3 * stride
                            for t in 0..<columns {
                                out[t] = e[t] - e[t + 1]
                                out1[t] = o[t] + e[t + 1]
                                out2[t] = e[t + 1] - o[t]
                                out3[t] = o[t] - o[t + 1]
                            }
                        }
                    }
                }
            }
        }
    }

    /// M_ξ = U_ξ · V_ξ for the 16 ξ, `[16][Cout][tiles]`. Units are (ξ, slice of tiles), as many
    /// for every thread (16 on 2 threads, 48 on 3), each one single-threaded product.
    func multiply(packedWeights: UnsafePointer<Float>, transformedInput: UnsafePointer<Float>, tiles: Int,
                  into products: UnsafeMutablePointer<Float>) {
        let cpg = inputChannels, opg = outputChannels
        let threads = max(1, Parallel.threadCount)
        let slices = max(1, min(threads / Self.greatestCommonDivisor(16, threads), tiles / GemmMicroKernel.nr))
        let productsShared = SharedPointer(products)
        let rowStride = self.rowStride, weightStride = self.weightStride
        let inputStride = self.inputStride, productStride = self.productStride
        Parallel.forParts(16 * slices, threads: threads) { unit in
            let xi = unit / slices, slice = unit % slices
            let first = tiles * slice / slices, last = tiles * (slice + 1) / slices
            let weights = PackedLeft(prepacked: packedWeights + xi * weightStride, rows: opg)
            GemmDriver.run(m: opg, n: last - first, k: cpg, a: weights,
                           b: StridedMatrix(base: transformedInput + xi * inputStride + first, rowStride: rowStride,
                                            transposed: false),
                           c: productsShared.base + xi * productStride + first, ldc: rowStride,
                           accumulate: false, threads: 1)
        }
    }

    /// Y = Aᵀ m A (+ bias) for every output channel and tile of `tileRows`, cut at the output's
    /// edges.
    ///
    ///     Aᵀ = [1 1 1 0; 0 1 −1 −1]
    func transformOutput(_ products: UnsafePointer<Float>, tileRows: Range<Int>, bias: UnsafePointer<Float>?,
                         into output: UnsafeMutablePointer<Float>) {
        let columns = tileColumns, rowStride = self.rowStride
        let stride = productStride
        let target = SharedPointer(output)
        Parallel.forRanges(count: outputChannels, minimumPerThread: 4) { channels in
            ScratchBuffers.with(count: 4 * 2 * columns) { rows in
                for o in channels {
                    let b = bias?[o] ?? 0
                    let plane = target.base + o * outputHeight * outputWidth
                    for tileRow in tileRows {
                        let tileBase = (tileRow - tileRows.lowerBound) * columns
                        // s_a[j] = (Aᵀ m)[a][j] for the four columns j, over the row's tiles.
                        let s0 = rows, s1 = rows + 4 * columns
                        for j in 0..<4 {
                            let m0 = products + j * stride + o * rowStride + tileBase
                            let m1 = m0 + 4 * stride, m2 = m0 + 8 * stride, m3 = m0 + 12 * stride
                            let a0 = s0 + j * columns, a1 = s1 + j * columns
                            for tile in 0..<columns {
                                a0[tile] = m0[tile] + m1[tile] + m2[tile]
                                a1[tile] = m1[tile] - m2[tile] - m3[tile]
                            }
                        }
                        for a in 0..<2 {
                            let y = 2 * tileRow + a
                            guard y < outputHeight else { break }
                            let s = a == 0 ? s0 : s1
                            let t0 = s, t1 = s + columns, t2 = s + 2 * columns, t3 = s + 3 * columns
                            let row = plane + y * outputWidth
                            let fullTiles = outputWidth / 2
                            for tile in 0..<fullTiles {
                                row[2 * tile] = t0[tile] + t1[tile] + t2[tile] + b
                                row[2 * tile + 1] = t1[tile] - t2[tile] - t3[tile] + b
                            }
                            if fullTiles < columns {
                                row[2 * fullTiles] = t0[fullTiles] + t1[fullTiles] + t2[fullTiles] + b
                            }
                        }
                    }
                }
            }
        }
    }

    static func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
