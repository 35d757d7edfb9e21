/// The unfolded input of a convolution (im2col) as GEMM right operands, packed straight from
/// the NCHW input so the `[Cin·kh·kw, Ho·Wo]` matrix never exists in memory.
///
/// For one image and one group, `columns[(c·kh + i)·kw + j, y·Wo + x] =
/// input[c, y·sh − ph + i, x·sw − pw + j]` (zero outside the image).
struct ConvolutionWindow {
    /// Input of one image and group: `[cpg, H, W]`.
    private(set) var input: UnsafePointer<Float>
    let height: Int, width: Int
    let outputHeight: Int, outputWidth: Int
    let kernelHeight: Int, kernelWidth: Int
    let strideHeight: Int, strideWidth: Int
    let paddingHeight: Int, paddingWidth: Int

    init(_ g: ConvolutionGeometry, input: UnsafePointer<Float>) {
        self.input = input
        height = g.inputHeight; width = g.inputWidth
        outputHeight = g.outputHeight; outputWidth = g.outputWidth
        kernelHeight = g.kernelHeight; kernelWidth = g.kernelWidth
        strideHeight = g.strideHeight; strideWidth = g.strideWidth
        paddingHeight = g.paddingHeight; paddingWidth = g.paddingWidth
    }

    /// The same geometry over another input (the next image of a batch).
    func over(_ input: UnsafePointer<Float>) -> ConvolutionWindow {
        var window = self
        window.input = input
        return window
    }

    /// Writes `count` consecutive entries of unfolded row `row` starting at output pixel (y, x)
    /// (all in one output row) to `destination[t * step]`.
    @inline(__always)
    func gather(row: Int, y: Int, x: Int, count: Int, into destination: UnsafeMutablePointer<Float>, step: Int) {
        let j = row % kernelWidth, i = (row / kernelWidth) % kernelHeight, c = row / (kernelWidth * kernelHeight)
        let iy = y * strideHeight - paddingHeight + i
        guard iy >= 0 && iy < height else {
            for t in 0..<count { destination[t * step] = 0 }
            return
        }
        let source = input + (c * height + iy) * width
        let ix0 = x * strideWidth - paddingWidth + j
        if strideWidth == 1 {
            // Valid t: 0 ≤ ix0 + t < width.
            let lo = min(count, max(0, -ix0)), hi = max(lo, min(count, width - ix0))
            for t in 0..<lo { destination[t * step] = 0 }
            if step == 1 {
                (destination + lo).update(from: source + ix0 + lo, count: hi - lo)
            } else {
                for t in lo..<hi { destination[t * step] = source[ix0 + t] }
            }
            for t in hi..<count { destination[t * step] = 0 }
        } else {
            for t in 0..<count {
                let ix = ix0 + t * strideWidth
                destination[t * step] = ix >= 0 && ix < width ? source[ix] : 0
            }
        }
    }
}

/// Right operand of the forward convolution: op(B) = columns `[cpg·kh·kw, Ho·Wo]`.
struct Im2colColumns: GemmRightOperand {
    let window: ConvolutionWindow

    func pack(depth: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let nr = GemmMicroKernel.nr, kc = depth.count, wo = window.outputWidth
        // Panel by panel, so the writes run through one [kc, nr] panel in order. (Unfolded row
        // by row, each row's nr-float pieces went to panels nr·kc floats apart — 64 KiB at kc
        // 512, one L1 set for all of them — and the pack was ~6 % of the 512-channel layer.)
        var start = columns.lowerBound
        var panel = destination
        while start < columns.upperBound {
            let width = min(nr, columns.upperBound - start)
            let y = start / wo, x = start % wo
            if width == nr && x + nr <= wo {
                packPanelInOneRow(depth: depth, y: y, x: x, into: panel)
            } else {
                for (p, row) in depth.enumerated() {
                    // Runs that stay inside one output row.
                    var column = 0, yy = y, xx = x
                    while column < width {
                        let run = min(wo - xx, width - column)
                        window.gather(row: row, y: yy, x: xx, count: run, into: panel + p * nr + column, step: 1)
                        column += run; xx += run
                        if xx == wo { xx = 0; yy += 1 }
                    }
                    // Zero the columns past the right edge of the last panel.
                    if width < nr { (panel + p * nr + width).update(repeating: 0, count: nr - width) }
                }
            }
            start += width
            panel += nr * kc
        }
    }

    /// One full panel whose nr pixels lie in output row `y` from column `x`: each unfolded row
    /// is nr consecutive input floats (stride 1) or a gather at the padding.
    @inline(__always)
    private func packPanelInOneRow(depth: Range<Int>, y: Int, x: Int, into panel: UnsafeMutablePointer<Float>) {
        let nr = GemmMicroKernel.nr, w = window
        let taps = w.kernelHeight * w.kernelWidth
        var c = depth.lowerBound / taps, i = (depth.lowerBound % taps) / w.kernelWidth, j = depth.lowerBound % w.kernelWidth
        var target = panel
        for row in depth {
            let iy = y * w.strideHeight - w.paddingHeight + i, ix0 = x - w.paddingWidth + j
            if w.strideWidth == 1 && iy >= 0 && iy < w.height && ix0 >= 0 && ix0 + nr <= w.width {
                copyPanelRow(from: w.input + (c * w.height + iy) * w.width + ix0, to: target)
            } else {
                w.gather(row: row, y: y, x: x, count: nr, into: target, step: 1)
            }
            target += nr
            j += 1
            if j == w.kernelWidth {
                j = 0; i += 1
                if i == w.kernelHeight { i = 0; c += 1 }
            }
        }
    }
}

/// Right operand of a forward convolution over several images at once (one group):
/// op(B) = columns `[cin·kh·kw, N·Ho·Wo]`, image after image — column j is pixel j mod Ho·Wo of
/// image j / Ho·Wo, whose input lies `imageFloats` after the previous image's (`window.input`
/// is the first image's). An NR panel may straddle two images; each piece is gathered from
/// its own image. Packing only copies, so the packed panels hold what one `Im2colColumns` per
/// image would.
struct BatchedIm2colColumns: GemmRightOperand {
    let window: ConvolutionWindow
    let imageFloats: Int

    func pack(depth: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let nr = GemmMicroKernel.nr, kc = depth.count, wo = window.outputWidth
        let pixels = window.outputHeight * wo
        var start = columns.lowerBound
        var panel = destination
        while start < columns.upperBound {
            let width = min(nr, columns.upperBound - start)
            forEachImagePiece(of: start..<start + width, pixelsPerImage: pixels) { image, piece, column in
                let imageWindow = window.over(window.input + image * imageFloats)
                for (p, row) in depth.enumerated() {
                    // Runs that stay inside one output row.
                    var done = 0, y = piece.lowerBound / wo, x = piece.lowerBound % wo
                    while done < piece.count {
                        let run = min(wo - x, piece.count - done)
                        imageWindow.gather(row: row, y: y, x: x, count: run, into: panel + p * nr + column + done, step: 1)
                        done += run; x += run
                        if x == wo { x = 0; y += 1 }
                    }
                }
            }
            if width < nr {
                // Zero the columns past the right edge of the last panel.
                for p in 0..<kc { (panel + p * nr + width).update(repeating: 0, count: nr - width) }
            }
            start += width
            panel += nr * kc
        }
    }
}

/// Right operand of the weight gradient: op(B) = columnsᵀ `[Ho·Wo, cpg·kh·kw]`.
///
/// Each panel row (one pixel, nr unfolded rows) is written in order: the nr values are read
/// at fixed offsets from the pixel's window origin, all within a few L1-resident input rows.
/// (Writing one unfolded row down a panel column instead made strided stores the bottleneck.)
struct Im2colRows: GemmRightOperand {
    let window: ConvolutionWindow

    func pack(depth: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let nr = GemmMicroKernel.nr, kc = depth.count, w = window
        let taps = w.kernelHeight * w.kernelWidth
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * nr) { table in
            let offsets = table.baseAddress!, tapRows = offsets + nr, tapColumns = offsets + 2 * nr
            var panel = destination
            var j = columns.lowerBound
            while j < columns.upperBound {
                let width = min(nr, columns.upperBound - j)
                for q in 0..<width {
                    let row = j + q, c = row / taps, i = (row % taps) / w.kernelWidth, tap = row % w.kernelWidth
                    tapRows[q] = i; tapColumns[q] = tap
                    offsets[q] = (c * w.height + i) * w.width + tap
                }
                var y = depth.lowerBound / w.outputWidth, x = depth.lowerBound % w.outputWidth
                var dst = panel
                for _ in 0..<kc {
                    let iy0 = y * w.strideHeight - w.paddingHeight, ix0 = x * w.strideWidth - w.paddingWidth
                    if iy0 >= 0 && iy0 + w.kernelHeight <= w.height && ix0 >= 0 && ix0 + w.kernelWidth <= w.width {
                        let origin = w.input + iy0 * w.width + ix0
                        for q in 0..<width { dst[q] = origin[offsets[q]] }
                    } else {
                        // The window overlaps the zero padding.
                        for q in 0..<width {
                            let iy = iy0 + tapRows[q], ix = ix0 + tapColumns[q]
                            dst[q] = iy >= 0 && iy < w.height && ix >= 0 && ix < w.width
                                ? w.input[offsets[q] + iy0 * w.width + ix0] : 0
                        }
                    }
                    for q in width..<nr { dst[q] = 0 }
                    dst += nr
                    x += 1
                    if x == w.outputWidth { x = 0; y += 1 }
                }
                panel += nr * kc
                j += nr
            }
        }
    }
}

/// Right operand of a weight gradient over several images at once (one group): op(B) =
/// columnsᵀ `[N·Ho·Wo, cin·kh·kw]`, image after image — depth j is pixel j mod Ho·Wo of image
/// j / Ho·Wo, whose input lies `imageFloats` after the previous image's. Each NR panel is packed
/// a piece of depth at a time, each piece by its image's `Im2colRows`.
struct BatchedIm2colRows: GemmRightOperand {
    let window: ConvolutionWindow
    let imageFloats: Int

    func pack(depth: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let nr = GemmMicroKernel.nr, kc = depth.count
        let pixels = window.outputHeight * window.outputWidth
        var first = columns.lowerBound, panel = destination
        while first < columns.upperBound {
            let panelColumns = first..<min(columns.upperBound, first + nr)
            forEachImagePiece(of: depth, pixelsPerImage: pixels) { image, piece, offset in
                Im2colRows(window: window.over(window.input + image * imageFloats))
                    .pack(depth: piece, columns: panelColumns, into: panel + offset * nr)
            }
            first += nr
            panel += nr * kc
        }
    }
}

/// Left operand of a weight gradient over several images at once: op(A) = the output gradient
/// as `[opg, N·Ho·Wo]`, image after image (depth j is pixel j mod `pixels` of image j / `pixels`;
/// each image's `[opg, pixels]` planes lie `imageFloats` after the previous image's).
struct BatchedOutputPlanes: GemmLeftOperand {
    let base: UnsafePointer<Float>
    let pixels: Int
    let imageFloats: Int

    func pack(rows: Range<Int>, depth: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let mr = GemmMicroKernel.mr, kc = depth.count
        var first = rows.lowerBound, panel = destination
        while first < rows.upperBound {
            let panelRows = first..<min(rows.upperBound, first + mr)
            forEachImagePiece(of: depth, pixelsPerImage: pixels) { image, piece, offset in
                StridedMatrix(base: base + image * imageFloats, rowStride: pixels, transposed: false)
                    .pack(rows: panelRows, depth: piece, into: panel + offset * mr)
            }
            first += mr
            panel += mr * kc
        }
    }
}

/// Splits `range` — pixel indices over a batch, image after image, `pixelsPerImage` each — into
/// the pieces that lie in one image: `body(image, that image's pixels, offset of the piece from
/// range.lowerBound)`.
@inline(__always)
private func forEachImagePiece(of range: Range<Int>, pixelsPerImage: Int,
                               _ body: (_ image: Int, _ pixels: Range<Int>, _ offset: Int) -> Void) {
    var j = range.lowerBound
    while j < range.upperBound {
        let image = j / pixelsPerImage, pixel = j % pixelsPerImage
        let count = min(pixelsPerImage - pixel, range.upperBound - j)
        body(image, pixel..<pixel + count, j - range.lowerBound)
        j += count
    }
}
