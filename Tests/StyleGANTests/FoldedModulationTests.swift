import StyleGAN
import Tensors
import Testing
import TestSupport

/// Without gradient recording, `ModulatedConv2d` folds the style into per-sample weights (one
/// grouped convolution) and `StyledConv` applies noise, bias and activation in place; with
/// recording, the unfolded ops that autograd differentiates run. Both must compute the same.
@Suite struct FoldedModulationTests {
    /// The same layer's output with recording on (unfolded) and off (folded).
    private func bothPaths(_ body: () -> Tensor) -> (unfolded: Tensor, folded: Tensor) {
        (GradientMode.withGradients(body), GradientMode.withoutGradients(body))
    }

    @Test(arguments: [(upsample: false, demodulate: true, kernel: 3, batch: 1),
                      (upsample: false, demodulate: true, kernel: 3, batch: 3),
                      (upsample: true, demodulate: true, kernel: 3, batch: 1),
                      (upsample: true, demodulate: true, kernel: 3, batch: 2),
                      (upsample: false, demodulate: false, kernel: 1, batch: 2)])
    func foldedConvolutionMatchesTheUnfoldedOne(upsample: Bool, demodulate: Bool, kernel: Int, batch: Int) {
        let layer = ModulatedConv2d(8, 6, kernelSize: kernel, styleDimension: 16, demodulate: demodulate,
                                    upsample: upsample, generator: RandomGenerator(seed: 11))
        let input = Tensor.randomNormal([batch, 8, 12, 12], generator: RandomGenerator(seed: 12))
        let style = Tensor.randomNormal([batch, 16], generator: RandomGenerator(seed: 13))
        let (unfolded, folded) = bothPaths { layer(input, style: style) }
        #expect(folded.shape == unfolded.shape)
        #expect(relativeError(folded, unfolded) < 1e-6, "relative error \(relativeError(folded, unfolded))")
    }

    /// Samples must not share styles: each output of a batch equals that sample run alone.
    @Test func everySampleGetsItsOwnStyle() {
        let layer = ModulatedConv2d(4, 5, kernelSize: 3, styleDimension: 8, generator: RandomGenerator(seed: 21))
        let input = Tensor.randomNormal([3, 4, 10, 10], generator: RandomGenerator(seed: 22))
        let style = Tensor.randomNormal([3, 8], generator: RandomGenerator(seed: 23))
        let batched = GradientMode.withoutGradients { layer(input, style: style) }
        for b in 0..<3 {
            let alone = GradientMode.withoutGradients {
                layer(input.narrow(0, start: b, length: 1), style: style.narrow(0, start: b, length: 1))
            }
            #expect(relativeError(batched.narrow(0, start: b, length: 1), alone) < 1e-6)
        }
    }

    @Test(arguments: [1, 2])
    func fusedEpilogueMatchesNoiseThenActivation(noiseBatch: Int) {
        let layer = StyledConv(6, 4, kernelSize: 3, styleDimension: 8, generator: RandomGenerator(seed: 31))
        layer.noise.weight.assign([0.7])
        layer.activate.bias!.assign((0..<4).map { Float($0) * 0.3 - 0.5 })
        let input = Tensor.randomNormal([2, 6, 9, 9], generator: RandomGenerator(seed: 32))
        let style = Tensor.randomNormal([2, 8], generator: RandomGenerator(seed: 33))
        let noise = Tensor.randomNormal([noiseBatch, 1, 9, 9], generator: RandomGenerator(seed: 34))
        let (unfolded, folded) = bothPaths { layer(input, style: style, noise: noise) }
        #expect(relativeError(folded, unfolded) < 1e-6, "relative error \(relativeError(folded, unfolded))")
        // Some outputs on each side of the kink, so both slopes were exercised.
        #expect(folded.scalars.contains { $0 < 0 } && folded.scalars.contains { $0 > 0 })
    }

    /// A noise image the fused epilogue cannot broadcast takes the unfused ops, which refuse it
    /// with their own message — never a silent misread.
    @Test func noiseOfAnotherShapeIsNotFused() {
        #expect(!Tensor.acceptsNoise(Tensor.zeros([1, 1, 8, 9]), for: [2, 4, 9, 9]))
        #expect(!Tensor.acceptsNoise(Tensor.zeros([3, 1, 9, 9]), for: [2, 4, 9, 9]))
        #expect(!Tensor.acceptsNoise(Tensor.zeros([2, 2, 9, 9]), for: [2, 4, 9, 9]))
        #expect(Tensor.acceptsNoise(Tensor.zeros([2, 1, 9, 9]), for: [2, 4, 9, 9]))
    }

    /// Both layouts hold `scale·w·s·d` at the indices their convolutions read.
    @Test func foldedWeightsKeepTheirLayouts() {
        let weight = Tensor.randomNormal([1, 3, 2, 3, 3], generator: RandomGenerator(seed: 41))   // [1, O, I, k, k]
        let styles = Tensor.randomNormal([2, 2], generator: RandomGenerator(seed: 42))            // [B, I]
        let plain = GradientMode.withoutGradients {
            Tensor.foldedModulationWeights(weight, styles: styles, scale: 0.5, demodulate: true, transposed: false)
        }
        let transposed = GradientMode.withoutGradients {
            Tensor.foldedModulationWeights(weight, styles: styles, scale: 0.5, demodulate: true, transposed: true)
        }
        #expect(plain.shape == [6, 2, 3, 3] && transposed.shape == [4, 3, 3, 3])
        let p = plain.scalars, t = transposed.scalars, w = weight.scalars, s = styles.scalars
        for b in 0..<2 {
            for o in 0..<3 {
                var energy = 0.0
                for i in 0..<2 { for k in 0..<9 { let v = Double(0.5 * w[(o * 2 + i) * 9 + k] * s[b * 2 + i]); energy += v * v } }
                let d = 1 / (energy + 1e-8).squareRoot()
                for i in 0..<2 {
                    for k in 0..<9 {
                        let expected = Double(0.5 * w[(o * 2 + i) * 9 + k] * s[b * 2 + i]) * d
                        #expect(abs(Double(p[((b * 3 + o) * 2 + i) * 9 + k]) - expected) < 1e-6)
                        #expect(abs(Double(t[((b * 2 + i) * 3 + o) * 9 + k]) - expected) < 1e-6)
                    }
                }
            }
        }
    }
}
