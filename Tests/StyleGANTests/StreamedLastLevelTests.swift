import StyleGAN
import Tensors
import Testing

/// Without gradients, `synthesize` streams the last level's second activation into its ToRGB in
/// bands of rows (`StyledConv.streamingInto`); an `afterConv` hook, which sees every activation
/// whole, makes it run whole. The two must give the same image bit for bit: same tiles, same
/// epilogue, same ToRGB arithmetic, only never stored whole.
@Suite struct StreamedLastLevelTests {
    /// Last level 64 px wide (the direct convolution's bands); previews stop at 16 px, too narrow
    /// for it (the whole-output fallback's bands).
    static let configuration = GeneratorConfiguration(size: 64, styleDimension: 32, mappingLayers: 2,
                                                      channels: [4: 16, 8: 16, 16: 16, 32: 12, 64: 8])

    static func generator() -> Generator {
        let generator = Generator(configuration, generator: RandomGenerator(seed: 41))
        // Noise strengths and biases away from their zero initialisation, so the streamed
        // epilogue's every term is exercised.
        for (i, conv) in generator.convs.enumerated() {
            conv.noise.weight.assign([0.25 + 0.05 * Float(i)])
            conv.activate.bias!.assign((0..<conv.activate.bias!.count).map { Float($0 % 5) * 0.1 - 0.2 })
        }
        for toRGB in generator.toRGBs { toRGB.bias.assign([0.1, -0.2, 0.3]) }
        return generator
    }

    @Test(arguments: [(batch: 1, perSampleNoise: false, outputSize: 64), (batch: 2, perSampleNoise: true, outputSize: 64),
                      (batch: 2, perSampleNoise: false, outputSize: 16), (batch: 3, perSampleNoise: true, outputSize: 32)])
    func streamedImageIsTheWholeOneBitForBit(batch: Int, perSampleNoise: Bool, outputSize: Int) {
        let generator = Self.generator()
        let latents = Tensor.randomNormal([batch, Self.configuration.latentCount, 32], generator: RandomGenerator(seed: 42))
        let noise: [Tensor] = generator.noiseImages(.random(RandomGenerator(seed: 43)), batch: perSampleNoise ? batch : 1)
        GradientMode.withoutGradients {
            let streamed = generator.synthesize(latents, noise: .explicit(noise), outputSize: outputSize)
            let whole = generator.synthesize(latents, noise: .explicit(noise), outputSize: outputSize) { $1 }
            #expect(streamed.shape == [batch, 3, outputSize, outputSize])
            #expect(streamed.scalars.map(\.bitPattern) == whole.scalars.map(\.bitPattern),
                    "largest difference \(zip(streamed.scalars, whole.scalars).map { abs($0 - $1) }.max() ?? 0)")
        }
    }

    /// `refining:` replaces one activation as an `afterConv` hook that changes only that one does,
    /// and streams the last level as no hook does.
    @Test func refiningOneConvolutionIsTheHookThatChangesOnlyIt() {
        let generator = Self.generator()
        let latents = Tensor.randomNormal([2, Self.configuration.latentCount, 32], generator: RandomGenerator(seed: 44))
        GradientMode.withoutGradients {
            let refined = generator.synthesize(latents, refining: 3) { $0 * 1.5 - 0.25 }
            let hooked = generator.synthesize(latents) { index, feature in index == 3 ? feature * 1.5 - 0.25 : feature }
            let plain = generator.synthesize(latents)
            #expect(refined.scalars.map(\.bitPattern) == hooked.scalars.map(\.bitPattern))
            #expect(refined.scalars != plain.scalars)
        }
    }

    /// With gradients recorded nothing streams: the image still matches, within rounding of the
    /// unfolded modulation.
    @Test func recordingGradientsGivesTheSameImage() {
        let generator = Self.generator()
        let latents = Tensor.randomNormal([1, Self.configuration.latentCount, 32], generator: RandomGenerator(seed: 45))
        let streamed = GradientMode.withoutGradients { generator.synthesize(latents) }
        let recorded = GradientMode.withGradients { generator.synthesize(latents) }
        let worst = zip(streamed.scalars, recorded.scalars).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-4, "largest difference \(worst)")
    }
}
