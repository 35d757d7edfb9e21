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
}
