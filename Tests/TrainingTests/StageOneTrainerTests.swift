import Inversion
import Perceptual
import StyleGAN
import Tensors
import TestSupport
import Testing
import Training

@Suite struct StageOneTrainerTests {
    /// Stage 1 trains the encoder only, and fitting one photo lowers the loss.
    @Test func stepsTrainTheEncoderAlone() throws {
        let model = StylePrompterModel(
            encoder: SwinConfiguration(embedDimension: 8, depths: [2, 2, 1, 1], heads: [1, 2, 2, 4], latentTokens: 8,
                                       headHiddenDimension: 32, styleDimension: 32),
            generator: GeneratorConfiguration(size: 32, styleDimension: 32, mappingLayers: 2, channels: [4: 16, 8: 16, 16: 8, 32: 8]),
            withSMART: false, seed: 4)
        // Every weight from a seeded generator: tests run in parallel, so the shared default
        // generator's state depends on what else ran first.
        let lpips = LPIPS(channels: [8, 16, 24, 16, 16], generator: RandomGenerator(seed: 6))
        let trainer = StageOneTrainer(model: model, objective: StageOneObjective(lpips: lpips, identity: nil), learningRate: 1e-3)
        model.eval()  // drop-path off: with it, six steps' losses are too noisy to compare
        let generatorBefore = model.generator.parameters().map(\.scalars)
        let encoderBefore = model.encoder.parameters().map(\.scalars)
        let photo = Tensor.randomUniform([2, 3, 256, 256], low: -1, high: 1, generator: RandomGenerator(seed: 1))
        let first = trainer.step(images: photo)
        var last = first
        for _ in 0..<5 { last = trainer.step(images: photo) }
        #expect(Set(first.keys) == ["loss", "loss_l2", "loss_lpips", "loss_align"])
        #expect(last["loss"]! < first["loss"]!, "\(first) → \(last)")
        #expect(zip(model.generator.parameters().map(\.scalars), generatorBefore).allSatisfy { $0 == $1 })
        #expect(zip(model.encoder.parameters().map(\.scalars), encoderBefore).contains { $0 != $1 })
    }

    /// The objective sums the released terms with the released weights.
    @Test func objectiveWeighsTheTermsAsReleased() {
        let rng = RandomGenerator(seed: 2)
        let target = Tensor.randomUniform([1, 3, 8, 8], low: -1, high: 1, generator: rng)
        let reconstruction = Tensor.randomUniform([1, 3, 8, 8], low: -1, high: 1, generator: rng)
        let latents = Tensor.randomNormal([1, 4, 6], generator: rng), average = Tensor.randomNormal([1, 6], generator: rng)
        let (loss, terms) = StageOneObjective(lpips: nil, identity: nil)(reconstruction: reconstruction, target: target,
                                                                          latents: latents, latentAverage: average)
        let l2 = (target - reconstruction).pow(2).mean().item(), align = (latents - average).pow(2).mean().item()
        #expect(abs(loss.item() - (l2 + 0.1 * align)) < 1e-6)
        #expect(terms["loss_l2"] == l2 && terms["loss_align"] == align)
    }
}

extension StageOneTrainerTests {
    /// Accumulating 2 micro-batches of 2 gives the gradients of one batch of 4 (float summation aside).
    @Test func accumulationMatchesOneBatch() {
        let model = StylePrompterModel(
            encoder: SwinConfiguration(embedDimension: 8, depths: [2, 2, 1, 1], heads: [1, 2, 2, 4], latentTokens: 8,
                                       headHiddenDimension: 32, styleDimension: 32),
            generator: GeneratorConfiguration(size: 32, styleDimension: 32, mappingLayers: 2, channels: [4: 16, 8: 16, 16: 8, 32: 8]),
            withSMART: false, seed: 4)
        let lpips = LPIPS(channels: [8, 16, 24, 16, 16], generator: RandomGenerator(seed: 6))
        let trainer = StageOneTrainer(model: model, objective: StageOneObjective(lpips: lpips, identity: nil))
        model.eval()  // drop-path off, so both passes see the same network
        let photos = Tensor.randomUniform([4, 3, 256, 256], low: -1, high: 1, generator: RandomGenerator(seed: 9))
        let whole = trainer.computeGradients(images: photos)
        let wholeGradients = model.encoder.parameters().map(\.grad)   // nil where W+ does not depend on a weight
        let accumulated = trainer.computeGradients(images: photos, accumulationSteps: 2)
        var worst = 0.0
        for (p, expected) in zip(model.encoder.parameters(), wholeGradients) {
            guard let expected, let gradient = p.grad else { #expect(p.grad == nil && expected == nil); continue }
            worst = max(worst, relativeError(gradient, expected))
        }
        #expect(worst < 1e-5, "worst relative gradient error \(worst)")
        for key in whole.keys { #expect(abs(whole[key]! - accumulated[key]!) <= 1e-6 * abs(whole[key]!) + 1e-7, "\(key)") }
    }
}
