import Tensors
import Testing

/// `Tensor.conv2dInRowBands` hands over `conv2d`'s output rows, band by band, bit for bit — on the
/// direct convolution's path (stride 1, rows ≥ 24 wide) and on the whole-output fallback.
@Suite struct ConvolutionInRowBandsTests {
    @Test(arguments: [(width: 40, stride: 1, groups: 2), (width: 12, stride: 1, groups: 1), (width: 41, stride: 2, groups: 1)])
    func bandsAreTheRowsOfConv2d(width: Int, stride: Int, groups: Int) {
        let input = Tensor.randomNormal([2, 4 * groups, 19, width], generator: RandomGenerator(seed: 51))
        let weight = Tensor.randomNormal([6 * groups, 4, 3, 3], generator: RandomGenerator(seed: 52))
        let options = Convolution2DOptions(stride: stride, padding: 1, groups: groups)
        GradientMode.withoutGradients {
            let whole = Tensor.conv2d(input, weight: weight, options: options)
            let height = whole.shape[2]
            for bandRows in [1, 5, 100] {
                var next = 0
                Tensor.conv2dInRowBands(input, weight: weight, options: options, bandRows: bandRows) { band, rows in
                    #expect(rows.lowerBound == next)
                    #expect(band.shape == [2, 6 * groups, rows.count, whole.shape[3]])
                    let expected = whole.slice(2, start: rows.lowerBound, end: rows.upperBound)
                    #expect(band.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern), "rows \(rows), bands of \(bandRows)")
                    next = rows.upperBound
                }
                #expect(next == height)
            }
        }
    }

    /// A layer `conv2d` runs by Winograd (128 channels, 32×32): its bands are still its rows, bit
    /// for bit, from the whole input and from a `RowSource`.
    @Test func winogradLayerBandsAreTheRowsOfConv2d() {
        let input = Tensor.randomNormal([1, 128, 32, 32], generator: RandomGenerator(seed: 53))
        let weight = Tensor.randomNormal([128, 128, 3, 3], generator: RandomGenerator(seed: 54))
        let options = Convolution2DOptions(padding: 1)
        let values = input.scalars                       // once: `scalars` copies the whole tensor
        let source = RowSource(shape: input.shape) { rows, target, planeStride in
            for plane in 0..<128 {
                for (i, y) in rows.enumerated() {
                    for x in 0..<32 { target[plane * planeStride + i * 32 + x] = values[(plane * 32 + y) * 32 + x] }
                }
            }
        }
        GradientMode.withoutGradients {
            let whole = Tensor.conv2d(input, weight: weight, options: options)
            /// Checks the bands `run` hands over against `whole`'s rows, in order and complete.
            func check(_ label: String, _ run: ((Tensor, Range<Int>) -> Void) -> Void) {
                var next = 0
                run { band, rows in
                    #expect(rows.lowerBound == next)
                    let expected = whole.slice(2, start: rows.lowerBound, end: rows.upperBound)
                    let same = band.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern)
                    #expect(same, "\(label) rows \(rows)")
                    next = rows.upperBound
                }
                #expect(next == 32, "\(label)")
            }
            check("whole input") { Tensor.conv2dInRowBands(input, weight: weight, options: options, bandRows: 6, $0) }
            check("row source") {
                Tensor.conv2dInRowBands(source, weight: weight, options: options, bandRows: 6, rowsPerWindow: 10, $0)
            }
        }
    }
}
