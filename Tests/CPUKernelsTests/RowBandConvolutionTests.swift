import Testing
import CPUKernels

/// `DirectConvolution.forwardInRowBands` against `Convolution.forward` on the whole output, bit
/// for bit: each band's patch starts at the band's first row (zero rows above the image for the
/// first band, below it for the last), and the tiles compute every output value alike wherever
/// its block starts. Bands of 1 row, of a few rows (cutting the plan's row blocks), and taller
/// than the image; 1–3 threads.
@Suite(.serialized) struct RowBandConvolutionTests {
    static let geometries: [ConvolutionGeometry] = [
        // StyleGAN2's last-level shape (grouped by sample), small.
        ConvolutionGeometry(batch: 1, inputChannels: 2 * 8, inputHeight: 29, inputWidth: 40, outputChannels: 2 * 12,
                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1, groups: 2),
        // Two images, output channels that do not fill the last tile, no padding.
        ConvolutionGeometry(batch: 2, inputChannels: 5, inputHeight: 17, inputWidth: 33, outputChannels: 11,
                            kernelHeight: 3, kernelWidth: 3),
        // A 5×3 kernel with unequal padding.
        ConvolutionGeometry(batch: 1, inputChannels: 4, inputHeight: 23, inputWidth: 30, outputChannels: 7,
                            kernelHeight: 5, kernelWidth: 3, paddingHeight: 2, paddingWidth: 0),
    ]

    @Test(arguments: 0..<geometries.count)
    func bandsAreTheWholeOutputsRowsBitForBit(index: Int) {
        let g = Self.geometries[index]
        #expect(DirectConvolution.isSuitable(g))
        let input = TestBuffer(count: g.inputCount, seed: 21)
        let weight = TestBuffer(count: g.weightCount, seed: 22)
        let whole = TestBuffer(count: g.outputCount, seed: 23)
        Convolution.forward(g, input: input.pointer, weight: weight.pointer, bias: nil, output: whole.pointer)
        let (ho, wo, planes) = (g.outputHeight, g.outputWidth, g.batch * g.outputChannels)
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        for threads in 1...3 {
            Parallel.threadCount = threads
            for bandRows in [1, 4, 7, ho + 5] {
                let band = TestBuffer(count: planes * min(bandRows, ho) * wo, seed: 24)   // garbage: every value must be written
                var covered = 0, mismatches = 0
                DirectConvolution.forwardInRowBands(g, input: input.pointer, weight: weight.pointer, bias: nil,
                                                    bandRows: min(bandRows, ho), band: band.pointer) { rows in
                    #expect(rows.lowerBound == covered && rows.count <= bandRows, "band \(rows) after \(covered) rows")
                    for plane in 0..<planes {
                        for y in rows {
                            for x in 0..<wo {
                                let got = band.pointer[(plane * rows.count + y - rows.lowerBound) * wo + x]
                                if got.bitPattern != whole.pointer[(plane * ho + y) * wo + x].bitPattern { mismatches += 1 }
                            }
                        }
                    }
                    covered = rows.upperBound
                }
                #expect(covered == ho, "case \(index), \(threads) thread(s), bands of \(bandRows): \(covered) of \(ho) rows")
                #expect(mismatches == 0, "case \(index), \(threads) thread(s), bands of \(bandRows): \(mismatches) values differ")
            }
        }
    }

    /// Balanced band heights split evenly over the threads and never exceed the image.
    @Test func balancedBandsFitTheImageAndTheThreads() {
        let g = Self.geometries[0]
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        for threads in 1...3 {
            Parallel.threadCount = threads
            for wanted in [1, 5, 16, 1000] {
                let rows = DirectConvolution.balancedBandRows(g, about: wanted)
                #expect(rows >= 1 && rows <= g.outputHeight, "\(wanted) rows asked, \(rows) given")
                #expect(rows == g.outputHeight || rows % threads == 0, "\(threads) threads, \(wanted) rows asked, \(rows) given")
            }
        }
    }
}
