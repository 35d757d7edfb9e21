/// 3×3 stride-1 convolution with many channels as Winograd's minimal filtering F(2×2, 3×3)
/// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).
///
/// Each 2×2 block of outputs comes from a 4×4 input tile: transformed (`Bᵀ d B`), multiplied
/// element-wise by the transformed filter (`G g Gᵀ`) and summed over input channels, transformed
/// back (`Aᵀ m A`). The sum over channels is 16 GEMMs, one per tile element ξ:
/// `M[ξ][o, t] = Σ_c U[ξ][o, c] · V[ξ][c, t]` — 16·Cout·Cin multiply-adds per 4 outputs instead of
/// 36, so a 512-channel layer does 2.25× fewer. The im2col GEMM ran StyleGAN2's 512→512 layer at
/// 64² at 77 % of peak against oneDNN's 92 % (its packing alone ~10 %); here the GEMMs are plain
/// ones of K = Cin, and the transforms are O(channels · pixels).
///
/// Rounding: the transforms add a few float32 roundings per output (the constants are 0, ±1, ±½,
/// exact); measured within 2e-6 relative of float64 on 512-channel layers (`WinogradTests`),
/// about twice the direct sum's error. Used for stride-1 3×3 convolutions with more than 256
/// output channels per group (fewer run on `DirectConvolution`) and at least 64 input channels.
package enum WinogradConvolution {
    /// Tiles transformed and multiplied at a time: V and M of one chunk stay a few MiB.
    static let tilesPerChunk = 256

    package static func isSuitable(_ g: ConvolutionGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideHeight == 1 && g.strideWidth == 1
            && g.paddingHeight <= 2 && g.paddingWidth <= 2
            && g.outputChannelsPerGroup > 256 && g.inputChannelsPerGroup >= 64
            && g.outputHeight >= 4 && g.outputWidth >= 4
    }

    /// `output = conv2d(input, weight) + bias` (overwrites) for a geometry `isSuitable` accepts.
    package static func forward(_ g: ConvolutionGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let cpg = g.inputChannelsPerGroup, opg = g.outputChannelsPerGroup
        let (ho, wo) = (g.outputHeight, g.outputWidth)
        let tileColumns = (wo + 1) / 2, tiles = (ho + 1) / 2 * tileColumns
        let chunk = min(tiles, tilesPerChunk)
        let outputShared = SharedPointer(output)
        let flopsPerItem = 2 * 16 * Double(opg * cpg * tiles)
        Parallel.forBatch(count: g.batch * g.groups, flopsPerItem: flopsPerItem) { items, threads in
            ScratchBuffers.with(count: 16 * (opg * cpg + cpg * chunk + opg * chunk)) { scratch in
                let u = scratch, v = scratch + 16 * opg * cpg, m = v + 16 * cpg * chunk
                for item in items {
                    let n = item / g.groups, group = item % g.groups
                    transformFilters(weight + group * opg * cpg * 9, outputs: opg, inputs: cpg, into: u, threads: threads)
                    let x = input + (n * g.inputChannels + group * cpg) * g.inputHeight * g.inputWidth
                    let y = outputShared.base + (n * g.outputChannels + group * opg) * ho * wo
                    let b = bias.map { $0 + group * opg }
                    var first = 0
                    while first < tiles {
                        let count = min(chunk, tiles - first)
                        transformInput(g, x, channels: cpg, tiles: first..<first + count, tileColumns: tileColumns, into: v, threads: threads)
                        for xi in 0..<16 {
                            GemmDriver.run(m: opg, n: count, k: cpg,
                                           a: StridedMatrix(base: u + xi * opg * cpg, rowStride: cpg, transposed: false),
                                           b: StridedMatrix(base: v + xi * cpg * count, rowStride: count, transposed: false),
                                           c: m + xi * opg * count, ldc: count, accumulate: false, threads: threads)
                        }
                        transformOutput(g, m, channels: opg, tiles: first..<first + count, tileColumns: tileColumns,
                                        bias: b, into: y, threads: threads)
                        first += count
                    }
                }
            }
        }
    }

    /// `U[ξ][o, c] = (G g Gᵀ)[ξ]` for every filter g = weight[o, c] (3×3), G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
    static func transformFilters(_ weight: UnsafePointer<Float>, outputs: Int, inputs: Int,
                                 into u: UnsafeMutablePointer<Float>, threads: Int) {
        let plane = outputs * inputs
        let target = SharedPointer(u)
        Parallel.forRanges(count: outputs, minimumPerThread: 16, threads: threads) { range in
          withUnsafeTemporaryAllocation(of: Float.self, capacity: 12) { scratch in
            let q = scratch.baseAddress!
            for o in range {
                for c in 0..<inputs {
                    let f = weight + (o * inputs + c) * 9
                    // q = G g (4×3), then U = q Gᵀ (4×4).
                    for j in 0..<3 {
                        let (a, b, d) = (f[j], f[3 + j], f[6 + j])
                        q[j] = a
                        q[3 + j] = (a + b + d) * 0.5
                        q[6 + j] = (a - b + d) * 0.5
                        q[9 + j] = d
                    }
                    let out = target.base + o * inputs + c
                    for i in 0..<4 {
                        let (a, b, d) = (q[3 * i], q[3 * i + 1], q[3 * i + 2])
                        out[(4 * i) * plane] = a
                        out[(4 * i + 1) * plane] = (a + b + d) * 0.5
                        out[(4 * i + 2) * plane] = (a - b + d) * 0.5
                        out[(4 * i + 3) * plane] = d
                    }
                }
            }
          }
        }
    }

    /// `V[ξ][c, t] = (Bᵀ d B)[ξ]` for the 4×4 input tile d under output tile t (zero outside the
    /// input), Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1].
    static func transformInput(_ g: ConvolutionGeometry, _ x: UnsafePointer<Float>, channels: Int, tiles: Range<Int>,
                               tileColumns: Int, into v: UnsafeMutablePointer<Float>, threads: Int) {
        let (h, w) = (g.inputHeight, g.inputWidth)
        let count = tiles.count, plane = channels * count
        let target = SharedPointer(v)
        Parallel.forRanges(count: channels, minimumPerThread: 8, threads: threads) { range in
          withUnsafeTemporaryAllocation(of: Float.self, capacity: 32) { scratch in
            let p = scratch.baseAddress!, t = p + 16          // the tile, and Bᵀ d
            for c in range {
                let source = x + c * h * w
                let out = target.base + c * count
                for (k, tile) in tiles.enumerated() {
                    let top = (tile / tileColumns) * 2 - g.paddingHeight, left = (tile % tileColumns) * 2 - g.paddingWidth
                    do {
                        if top >= 0 && top + 4 <= h && left >= 0 && left + 4 <= w {
                            for r in 0..<4 {
                                let row = source + (top + r) * w + left
                                p[4 * r] = row[0]; p[4 * r + 1] = row[1]; p[4 * r + 2] = row[2]; p[4 * r + 3] = row[3]
                            }
                        } else {
                            for r in 0..<4 {
                                let iy = top + r
                                for s in 0..<4 {
                                    let ix = left + s
                                    p[4 * r + s] = iy >= 0 && iy < h && ix >= 0 && ix < w ? source[iy * w + ix] : 0
                                }
                            }
                        }
                        // Bᵀ over the rows, then B over the columns.
                        for s in 0..<4 {
                            let (d0, d1, d2, d3) = (p[s], p[4 + s], p[8 + s], p[12 + s])
                            t[s] = d0 - d2
                            t[4 + s] = d1 + d2
                            t[8 + s] = d2 - d1
                            t[12 + s] = d1 - d3
                        }
                        for r in 0..<4 {
                            let (t0, t1, t2, t3) = (t[4 * r], t[4 * r + 1], t[4 * r + 2], t[4 * r + 3])
                            out[(4 * r) * plane + k] = t0 - t2
                            out[(4 * r + 1) * plane + k] = t1 + t2
                            out[(4 * r + 2) * plane + k] = t2 - t1
                            out[(4 * r + 3) * plane + k] = t1 - t3
                        }
                    }
                }
            }
          }
        }
    }

    /// `y = Aᵀ M A + bias` for every output tile, Aᵀ = [1 1 1 0; 0 1 −1 −1]; rows and columns past
    /// the output's (odd) edge are dropped.
    static func transformOutput(_ g: ConvolutionGeometry, _ m: UnsafePointer<Float>, channels: Int, tiles: Range<Int>,
                                tileColumns: Int, bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>, threads: Int) {
        let (ho, wo) = (g.outputHeight, g.outputWidth)
        let count = tiles.count, plane = channels * count
        let target = SharedPointer(y)
        Parallel.forRanges(count: channels, minimumPerThread: 8, threads: threads) { range in
          withUnsafeTemporaryAllocation(of: Float.self, capacity: 8) { scratch in
            let r = scratch.baseAddress!
            for o in range {
                let source = m + o * count
                let out = target.base + o * ho * wo
                let b = bias?[o] ?? 0
                for (k, t) in tiles.enumerated() {
                    for column in 0..<4 {
                        let (m0, m1, m2, m3) = (source[column * plane + k], source[(4 + column) * plane + k],
                                                source[(8 + column) * plane + k], source[(12 + column) * plane + k])
                        r[column] = m0 + m1 + m2
                        r[4 + column] = m1 - m2 - m3
                    }
                    let oy = (t / tileColumns) * 2, ox = (t % tileColumns) * 2
                    for i in 0..<2 where oy + i < ho {
                        let row = out + (oy + i) * wo + ox
                        row[0] = r[4 * i] + r[4 * i + 1] + r[4 * i + 2] + b
                        if ox + 1 < wo { row[1] = r[4 * i + 1] - r[4 * i + 2] - r[4 * i + 3] + b }
                    }
                }
            }
          }
        }
    }
}
