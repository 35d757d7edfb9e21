import StyleGAN
import Tensors
import Testing

/// `synthesize(outputSize:)`: synthesis stopped at a lower resolution for previews.
@Suite struct PreviewSynthesisTests {
    static let configuration = GeneratorConfiguration(size: 64, styleDimension: 64, mappingLayers: 4,
                                                      channels: [4: 32, 8: 32, 16: 32, 32: 16, 64: 16])

    @Test func stoppingEarlyGivesThatLevelsSkipImage() throws {
        let generator = Generator(Self.configuration, generator: RandomGenerator(seed: 4))
        let latents = Tensor.randomNormal([2, Self.configuration.latentCount, 64], generator: RandomGenerator(seed: 8))
        try GradientMode.withoutGradients {
            let full = generator.synthesize(latents)
            #expect(generator.synthesize(latents, outputSize: 64).scalars == full.scalars)
            for side in [4, 8, 16, 32] {
                let preview = generator.synthesize(latents, outputSize: side)
                #expect(preview.shape == [2, 3, side, side])
                #expect(preview.scalars.allSatisfy { $0.isFinite })
                #expect(generator.synthesize(latents, outputSize: side).scalars == preview.scalars)
            }
            // The levels a preview skips see only what it computed: convs after the preview's
            // level are never called.
            var called: [Int] = []
            _ = generator.synthesize(latents, outputSize: 16) { index, feature in
                called.append(index)
                return feature
            }
            #expect(called == [0, 1, 2, 3])
        }
    }
}
