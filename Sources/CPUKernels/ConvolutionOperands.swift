/// The unfolded input of a convolution (im2col) as GEMM right operands, packed straight from
/// the NCHW input so the `[Cin·kh·kw, Ho·Wo]` matrix never exists in memory.
///
/// For one image and one group, `columns[(c·kh + i)·kw + j, y·Wo + x] =
/// input[c, y·sh − ph + i, x·sw − pw + j]` (zero outside the image).
struct ConvolutionWindow {
    /// Input of one image and group: `[cpg, H, W]`.
    let input: UnsafePointer<Float>
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
        for (p, row) in depth.enumerated() {
            // Walk the pixels in runs that stay inside one output row and one NR panel.
            var column = 0, y = columns.lowerBound / wo, x = columns.lowerBound % wo
            while column < columns.count {
                let inPanel = column % nr
                let run = min(wo - x, nr - inPanel, columns.count - column)
                let target = destination + (column / nr) * nr * kc + p * nr + inPanel
                window.gather(row: row, y: y, x: x, count: run, into: target, step: 1)
                column += run; x += run
                if x == wo { x = 0; y += 1 }
            }
        }
        // Zero the columns past the right edge of the last panel.
        let width = columns.count % nr
        if width != 0 {
            let lastPanel = destination + (columns.count / nr) * nr * kc
            for p in 0..<kc { (lastPanel + p * nr + width).update(repeating: 0, count: nr - width) }
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
