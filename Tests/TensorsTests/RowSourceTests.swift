import Tensors
import Testing

/// Activations computed a range of rows at a time (`RowSource`): the fused blurred up-convolution
/// gives any rows of its output bit for bit, and a convolution fed a window at a time hands over
/// the bands of the convolution of the whole input, bit for bit.
@Suite struct RowSourceTests {
    /// StyleGAN2's up-convolution shape (transposed 3×3, stride 2, one group per image) into rows
    /// 33 wide — the phase convolution's path — then its [1, 3, 3, 1] blur.
    static func upConvolution(batch: Int) -> (input: Tensor, weight: Tensor, options: Convolution2DOptions, kernel: Tensor) {
        let input = Tensor.randomNormal([1, batch * 5, 9, 32], generator: RandomGenerator(seed: 61))
        let weight = Tensor.randomNormal([batch * 5, 4, 3, 3], generator: RandomGenerator(seed: 62))
        let taps: [Float] = [1, 3, 3, 1]
        let kernel = Tensor(shape: [4, 4], scalars: taps.flatMap { a in taps.map { a * $0 / 64 } })
        return (input, weight, Convolution2DOptions(stride: 2, groups: batch), kernel)
    }

    @Test(arguments: [1, 2])
    func blurredUpConvolutionRowsAreTheWholeOutputsRows(batch: Int) {
        let (input, weight, options, kernel) = Self.upConvolution(batch: batch)
        let padding = (x0: 1, x1: 1, y0: 1, y1: 1)
        GradientMode.withoutGradients {
            guard let source = Tensor.convTranspose2dBlurredRows(input, weight: weight, options: options,
                                                                 blurKernel: kernel, padding: padding) else {
                Issue.record("the fused up-convolution did not apply")
                return
            }
            let whole = Tensor.upfirdn2d(Tensor.convTranspose2d(input, weight: weight, options: options), kernel: kernel, padding: padding)
            #expect(source.shape == whole.shape)
            let (planes, height, width) = (whole.shape[0] * whole.shape[1], whole.shape[2], whole.shape[3])
            // From the top, inside, one row, across block edges, to the bottom, and all of them.
            for rows in [0..<3, 5..<6, 7..<15, 11..<height, 0..<height, height - 1..<height] {
                let planeStride = rows.count * width + 7                    // a taller buffer than the rows
                var buffer = [Float](repeating: .nan, count: planes * planeStride)
                buffer.withUnsafeMutableBufferPointer { source.fill(rows, into: $0.baseAddress!, planeStride: planeStride) }
                for plane in 0..<planes {
                    let got = buffer[(plane * planeStride)..<(plane * planeStride + rows.count * width)]
                    let expected = whole.scalars[(plane * height * width + rows.lowerBound * width)..<(plane * height * width + rows.upperBound * width)]
                    #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "plane \(plane), rows \(rows)")
                    let past = buffer[(plane * planeStride + rows.count * width)..<((plane + 1) * planeStride)]
                    #expect(past.filter { !$0.isNaN }.isEmpty, "wrote past rows \(rows) of plane \(plane)")
                }
            }
            #expect(source.whole().scalars.map(\.bitPattern) == whole.scalars.map(\.bitPattern))
        }
    }

    /// Windows of 1–7 rows and taller than the image, 3×3 and 5×5 kernels (halos of 2 and 4 rows),
    /// groups, and rows too narrow for the direct convolution (the whole-input fallback).
    @Test(arguments: [(width: 40, kernel: 3, groups: 2), (width: 30, kernel: 5, groups: 1), (width: 12, kernel: 3, groups: 1)])
    func windowedConvolutionBandsAreTheRowsOfConv2d(width: Int, kernel: Int, groups: Int) {
        let input = Tensor.randomNormal([2, 4 * groups, 17, width], generator: RandomGenerator(seed: 63))
        let weight = Tensor.randomNormal([6 * groups, 4, kernel, kernel], generator: RandomGenerator(seed: 64))
        let options = Convolution2DOptions(padding: kernel / 2, groups: groups)
        var filled: [Range<Int>] = []
        let source = RowSource(shape: input.shape) { rows, target, planeStride in
            filled.append(rows)
            for plane in 0..<(input.shape[0] * input.shape[1]) {
                for (i, y) in rows.enumerated() {
                    for x in 0..<width { target[plane * planeStride + i * width + x] = input.scalars[(plane * 17 + y) * width + x] }
                }
            }
        }
        GradientMode.withoutGradients {
            let whole = Tensor.conv2d(input, weight: weight, options: options)
            for (rowsPerWindow, bandRows) in [(1, 1), (3, 2), (7, 5), (100, 4), (5, 100)] {
                filled.removeAll()
                var next = 0
                Tensor.conv2dInRowBands(source, weight: weight, options: options, bandRows: bandRows,
                                        rowsPerWindow: rowsPerWindow) { band, rows in
                    #expect(rows.lowerBound == next)
                    let expected = whole.slice(2, start: rows.lowerBound, end: rows.upperBound)
                    #expect(band.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern),
                            "rows \(rows), windows of \(rowsPerWindow), bands of \(bandRows)")
                    next = rows.upperBound
                }
                #expect(next == 17)
                // Every input row filled exactly once, top to bottom.
                #expect(filled.flatMap { Array($0) } == Array(0..<17), "windows of \(rowsPerWindow): filled \(filled)")
            }
        }
    }
}
