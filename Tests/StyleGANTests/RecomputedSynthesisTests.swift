import StyleGAN
import Tensors
import Testing
import TestSupport

@Suite struct RecomputedSynthesisTests {
    /// Recomputing the high-resolution levels changes neither the image nor the gradient to W+.
    @Test func gradientsToLatentsAreUnchanged() {
        let g = Generator(GeneratorConfiguration(size: 32, styleDimension: 16, mappingLayers: 2, channels: [4: 16, 8: 16, 16: 8, 32: 8]),
                          generator: RandomGenerator(seed: 5))
        g.setRequiresGradient(false)
        let latents = Tensor.randomNormal([2, g.configuration.latentCount, 16], generator: RandomGenerator(seed: 6))
        let probe = Tensor.randomNormal([2, 3, 32, 32], generator: RandomGenerator(seed: 7))
        func run(_ recompute: Int?) -> ([Float], [Float]) {
            let w = latents.detached()
            w.requiresGrad = true
            let image = g.synthesize(w, recomputingFrom: recompute)
            (image * probe).sum().backward()
            return (image.scalars, w.grad!.scalars)
        }
        // Not bit for bit: the recomputed levels' forward pass runs without recording, so it takes
        // the folded modulation (`ModulatedConv2d.foldedForward`), which rounds differently.
        let plain = run(nil), recomputed = run(16)
        #expect(relativeError(plain.0.map(Double.init), recomputed.0.map(Double.init)) < 1e-5)
        #expect(relativeError(plain.1.map(Double.init), recomputed.1.map(Double.init)) < 1e-5)
    }
}
