/// Upsample, FIR-filter, downsample on every plane of an NCHW buffer — StyleGAN2's `upfirdn2d`
/// with the semantics of its reference (native) implementation:
///
/// 1. insert `up − 1` zeros after every input sample (per axis),
/// 2. pad by `(pad0, pad1)` per axis (negative values crop),
/// 3. convolve with `kernel` (a true convolution: the kernel is flipped),
/// 4. keep every `down`-th sample.
package struct UpfirdnGeometry: Equatable, Sendable {
    package var planes: Int
    package var inputHeight: Int, inputWidth: Int
    package var kernelHeight: Int, kernelWidth: Int
    package var upX: Int, upY: Int, downX: Int, downY: Int
    package var padX0: Int, padX1: Int, padY0: Int, padY1: Int

    package init(planes: Int, inputHeight: Int, inputWidth: Int, kernelHeight: Int, kernelWidth: Int,
                upX: Int, upY: Int, downX: Int, downY: Int, padX0: Int, padX1: Int, padY0: Int, padY1: Int) {
        self.planes = planes; self.inputHeight = inputHeight; self.inputWidth = inputWidth
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.upX = upX; self.upY = upY; self.downX = downX; self.downY = downY
        self.padX0 = padX0; self.padX1 = padX1; self.padY0 = padY0; self.padY1 = padY1
    }

    package var outputHeight: Int { (inputHeight * upY + padY0 + padY1 - kernelHeight + downY) / downY }
    package var outputWidth: Int { (inputWidth * upX + padX0 + padX1 - kernelWidth + downX) / downX }
}

package enum Upfirdn {
    /// `output [planes, Ho, Wo] = upfirdn2d(input [planes, H, W], kernel [kh, kw])` (overwrites).
    package static func forward(_ g: UpfirdnGeometry, input: UnsafePointer<Float>, kernel: UnsafePointer<Float>,
                               output: UnsafeMutablePointer<Float>) {
        if let blur = SeparableBlur(g, kernel: kernel) {
            separableFilter(blur, planes: g.planes, input: input, output: output)
            return
        }
        let ho = g.outputHeight, wo = g.outputWidth, h = g.inputHeight, w = g.inputWidth
        let kh = g.kernelHeight, kw = g.kernelWidth
        // Flipped kernel: step 3 is a convolution, evaluated here as a correlation.
        var flipped = [Float](repeating: 0, count: kh * kw)
        for i in 0..<kh { for j in 0..<kw { flipped[i * kw + j] = kernel[(kh - 1 - i) * kw + (kw - 1 - j)] } }
        let taps = flipped
        if g.downX == 1 && g.downY == 1 && (g.upX > 1 || g.upY > 1) {
            upsample(g, input: input, taps: taps, output: output)
            return
        }
        Parallel.forEach(count: g.planes) { plane in
            let x = input + plane * h * w, y = output + plane * ho * wo
            y.update(repeating: 0, count: ho * wo)
            if g.upX == 1 && g.upY == 1 && g.downX == 1 && g.downY == 1 {
                // Plain FIR filter: contiguous row updates the compiler vectorises.
                for oy in 0..<ho {
                    let outRow = y + oy * wo
                    for ky in 0..<kh {
                        let iy = oy + ky - g.padY0
                        if iy < 0 || iy >= h { continue }
                        let inRow = x + iy * w
                        for kx in 0..<kw {
                            let tap = taps[ky * kw + kx]
                            let shift = kx - g.padX0   // ix = ox + shift
                            let lo = Swift.max(0, -shift), hi = Swift.min(wo, w - shift)
                            if lo >= hi { continue }
                            let src = inRow + shift
                            for ox in lo..<hi { outRow[ox] += tap * src[ox] }
                        }
                    }
                }
                return
            }
            for oy in 0..<ho {
                for ox in 0..<wo {
                    var sum: Float = 0
                    for ky in 0..<kh {
                        let uy = oy * g.downY + ky - g.padY0
                        if uy < 0 || uy >= h * g.upY || uy % g.upY != 0 { continue }
                        let inRow = x + (uy / g.upY) * w
                        for kx in 0..<kw {
                            let ux = ox * g.downX + kx - g.padX0
                            if ux < 0 || ux >= w * g.upX || ux % g.upX != 0 { continue }
                            sum += taps[ky * kw + kx] * inRow[ux / g.upX]
                        }
                    }
                    y[oy * wo + ox] = sum
                }
            }
        }
    }

    /// Upsampling without decimation (ToRGB's skip ×2): each output row is a sum of contiguous
    /// row updates, as in the plain FIR path, over the input rows whose zero-inserted position
    /// meets a tap (`kh / upY` of them) — each row zero-inserted once into a scratch row padded
    /// so that every tap's shift stays in bounds. Units are output rows, so a 3-plane RGB image
    /// still spreads over every thread. `taps` is the flipped kernel.
    private static func upsample(_ g: UpfirdnGeometry, input: UnsafePointer<Float>, taps: [Float],
                                 output: UnsafeMutablePointer<Float>) {
        let ho = g.outputHeight, wo = g.outputWidth, h = g.inputHeight, w = g.inputWidth
        let kh = g.kernelHeight, kw = g.kernelWidth
        // Scratch row: zero-inserted input at index ux + padX0 (ux = ox + kx − padX0 for the tap).
        let rowLength = wo + kw - 1
        let outputShared = SharedPointer(output)
        Parallel.forRanges(count: g.planes * ho, minimumPerThread: 8) { range in
            var scratch = [Float](repeating: 0, count: rowLength)
            scratch.withUnsafeMutableBufferPointer { scratch in
                let row = scratch.baseAddress!
                var rowInScratch = -1
                for unit in range {
                    let plane = unit / ho, oy = unit % ho
                    let x = input + plane * h * w
                    let outRow = outputShared.base + plane * ho * wo + oy * wo
                    outRow.update(repeating: 0, count: wo)
                    for ky in 0..<kh {
                        let uy = oy + ky - g.padY0
                        if uy < 0 || uy >= h * g.upY || uy % g.upY != 0 { continue }
                        let rowKey = plane * h + uy / g.upY
                        if rowKey != rowInScratch {
                            let inRow = x + (uy / g.upY) * w
                            row.update(repeating: 0, count: rowLength)
                            for ix in 0..<w {
                                let position = ix * g.upX + g.padX0
                                if position >= 0 && position < rowLength { row[position] = inRow[ix] }
                            }
                            rowInScratch = rowKey
                        }
                        addCorrelation(of: row, taps: taps, from: ky * kw, count: kw, into: outRow, width: wo)
                    }
                }
            }
        }
    }

    /// `taps = column ⊗ row` when the kernel is an outer product (StyleGAN2's blur kernels are:
    /// [1, 3, 3, 1] ⊗ [1, 3, 3, 1]), within float rounding; nil otherwise.
    package static func separableFactors(_ taps: [Float], _ kh: Int, _ kw: Int) -> (column: [Float], row: [Float])? {
        guard kh > 1 || kw > 1, let pivot = taps.indices.max(by: { abs(taps[$0]) < abs(taps[$1]) }), taps[pivot] != 0 else { return nil }
        let (pi, pj) = (pivot / kw, pivot % kw)
        let row = (0..<kw).map { taps[pi * kw + $0] }
        let column = (0..<kh).map { taps[$0 * kw + pj] / taps[pivot] }
        for i in 0..<kh {
            for j in 0..<kw where abs(column[i] * row[j] - taps[i * kw + j]) > 1e-6 * abs(taps[pivot]) { return nil }
        }
        return (column, row)
    }

    /// The plain FIR filter of a separable kernel, one output row at a time (`SeparableBlur`):
    /// kh + kw row updates instead of kh·kw (the blur after each up-convolution was 7 % of a
    /// generation).
    private static func separableFilter(_ blur: SeparableBlur, planes: Int, input: UnsafePointer<Float>,
                                        output: UnsafeMutablePointer<Float>) {
        let (h, w, ho, wo) = (blur.inputHeight, blur.inputWidth, blur.outputHeight, blur.outputWidth)
        let outputShared = SharedPointer(output)
        Parallel.forRanges(count: planes * ho, minimumPerThread: 8) { range in
            var scratch = [Float](repeating: 0, count: blur.scratchCount)
            scratch.withUnsafeMutableBufferPointer { scratch in
                for unit in range {
                    let plane = unit / ho, oy = unit % ho
                    let x = input + plane * h * w
                    blur.filterRow(oy, into: outputShared.base + plane * ho * wo + oy * wo, scratch: scratch.baseAddress!) { iy in
                        iy >= 0 && iy < h ? x + iy * w : nil
                    }
                }
            }
        }
    }

    /// `out[x] += Σₖ taps[first + k]·row[x + k]` for x < width, k < count: one tap's contiguous row
    /// update at a time, which the compiler vectorises (`row` holds width + count − 1 floats).
    @inline(__always)
    fileprivate static func addCorrelation(of row: UnsafePointer<Float>, taps: [Float], from first: Int, count: Int,
                                       into out: UnsafeMutablePointer<Float>, width: Int) {
        for k in 0..<count {
            let tap = taps[first + k]
            let source = row + k
            for x in 0..<width { out[x] += tap * source[x] }
        }
    }
}

/// A plain FIR filter (no up- or downsampling) whose kernel is an outer product — StyleGAN2's
/// blur, [1, 3, 3, 1] ⊗ [1, 3, 3, 1] — computed one output row at a time: the column taps over kh
/// input rows into a zero-padded row, then the row taps along it. `Upfirdn.forward` runs it over
/// whole planes; `StridePhases` over the rows of a transposed convolution as they are produced,
/// the same arithmetic in the same order, so both give the same bits.
package struct SeparableBlur: Sendable {
    /// The flipped kernel's factors (step 3 of upfirdn2d is a convolution, evaluated as a correlation).
    let column: [Float], row: [Float]
    let padY0: Int, padX0: Int
    package let inputHeight: Int, inputWidth: Int, outputHeight: Int, outputWidth: Int
    /// Where input columns land in the padded row.
    private let lo: Int, hi: Int

    /// Nil unless `g` filters without resampling and `kernel` [kh, kw] is separable.
    package init?(_ g: UpfirdnGeometry, kernel: UnsafePointer<Float>) {
        guard g.upX == 1 && g.upY == 1 && g.downX == 1 && g.downY == 1 else { return nil }
        let kh = g.kernelHeight, kw = g.kernelWidth
        var flipped = [Float](repeating: 0, count: kh * kw)
        for i in 0..<kh { for j in 0..<kw { flipped[i * kw + j] = kernel[(kh - 1 - i) * kw + (kw - 1 - j)] } }
        guard let (column, row) = Upfirdn.separableFactors(flipped, kh, kw) else { return nil }
        self.column = column
        self.row = row
        padY0 = g.padY0
        padX0 = g.padX0
        inputHeight = g.inputHeight
        inputWidth = g.inputWidth
        outputHeight = g.outputHeight
        outputWidth = g.outputWidth
        let rowLength = g.outputWidth + kw - 1
        lo = max(0, g.padX0)
        hi = min(rowLength, g.inputWidth + g.padX0)
    }

    /// Floats of scratch `filterRow` needs.
    package var scratchCount: Int { outputWidth + row.count - 1 }

    /// Output row `y` into `out` (overwrites `outputWidth` floats); `input(iy)` is input row iy,
    /// nil outside the input (zero padding).
    @inline(__always)
    func filterRow(_ y: Int, into out: UnsafeMutablePointer<Float>, scratch filtered: UnsafeMutablePointer<Float>,
                   input: (Int) -> UnsafePointer<Float>?) {
        filtered.update(repeating: 0, count: scratchCount)
        if lo < hi {
            for ky in 0..<column.count {
                guard let inputRow = input(y + ky - padY0) else { continue }
                let tap = column[ky]
                let source = inputRow + (lo - padX0)
                let target = filtered + lo
                for j in 0..<(hi - lo) { target[j] += tap * source[j] }
            }
        }
        out.update(repeating: 0, count: outputWidth)
        Upfirdn.addCorrelation(of: filtered, taps: row, from: 0, count: row.count, into: out, width: outputWidth)
    }
}
