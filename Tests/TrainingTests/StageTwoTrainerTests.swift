import Inversion
import NeuralNetwork
import Perceptual
import StyleGAN
import Tensors
import TestSupport
import Testing
import Training

@Suite struct StageTwoTrainerTests {
    static func smallModel() -> StylePrompterModel {
        StylePrompterModel(
            encoder: SwinConfiguration(embedDimension: 8, depths: [2, 2, 1, 1], heads: [1, 2, 2, 4], latentTokens: 8,
                                       headHiddenDimension: 32, styleDimension: 32),
            generator: GeneratorConfiguration(size: 32, styleDimension: 32, mappingLayers: 2, channels: [4: 16, 8: 16, 16: 8, 32: 8]),
            withSMART: true, seed: 5)
    }

    /// Stage 2 trains SMART alone (encoder and generator untouched), and fitting one photo
    /// lowers the loss.
    @Test func stepsTrainSMARTAlone() throws {
        let model = Self.smallModel()
        // Seeded loss networks: tests run in parallel, so the shared default generator's state
        // depends on what else ran first.
        let lpips = LPIPS(channels: [8, 16, 24, 16, 16], generator: RandomGenerator(seed: 6))
        let trainer = StageTwoTrainer(model: model, objective: StageTwoObjective(lpips: lpips, identity: nil),
                                      learningRate: 1e-3, seed: 3)
        model.eval()  // dropout off: the loss of one photo then decreases monotonically enough to test
        let frozenBefore = (model.generator.parameters() + model.encoder.parameters()).map(\.scalars)
        let smartBefore = model.smart!.parameters().map(\.scalars)
        let photo = Tensor.randomUniform([2, 3, 256, 256], low: -1, high: 1, generator: RandomGenerator(seed: 1))
        let first = trainer.step(images: photo)
        var last = first
        for _ in 0..<5 { last = trainer.step(images: photo) }
        #expect(Set(first.keys) == ["loss", "loss_l2", "loss_lpips"])
        #expect(last["loss"]! < first["loss"]!, "\(first) → \(last)")
        #expect(zip((model.generator.parameters() + model.encoder.parameters()).map(\.scalars), frozenBefore).allSatisfy { $0 == $1 })
        #expect(zip(model.smart!.parameters().map(\.scalars), smartBefore).contains { $0 != $1 })
        #expect(model.encoder.parameters().allSatisfy { $0.grad == nil })
    }

    /// A stage-1 model gets a fresh SMART block of the released shape, seeded.
    @Test func stageOneModelGetsAFreshSMART() {
        func smartWeights(seed: UInt64) -> [[Float]] {
            let stageOne = StylePrompterModel(
                encoder: SwinConfiguration(embedDimension: 8, depths: [2, 2, 1, 1], heads: [1, 2, 2, 4], latentTokens: 8,
                                           headHiddenDimension: 32, styleDimension: 32),
                generator: GeneratorConfiguration(size: 32, styleDimension: 32, mappingLayers: 2, channels: [4: 16, 8: 16, 16: 8, 32: 8]),
                withSMART: false, seed: 5)
            let trainer = StageTwoTrainer(model: stageOne, objective: StageTwoObjective(lpips: nil, identity: nil), seed: seed)
            return trainer.smart.parameters().map(\.scalars)
        }
        let reference = Self.smallModel().smart!
        let fresh = smartWeights(seed: 1)
        #expect(fresh.map(\.count) == reference.parameters().map(\.count))
        #expect(fresh == smartWeights(seed: 1))
    }

    /// The released coach leaves the model in training mode: SMART's dropout draws from the
    /// trainer's stream, so two trainers with the same seed give the same bits.
    @Test func dropoutIsActiveAndSeeded() {
        func run(seed: UInt64) -> [Float] {
            let model = Self.smallModel()
            let trainer = StageTwoTrainer(model: model, objective: StageTwoObjective(lpips: nil, identity: nil), seed: seed)
            let photo = Tensor.randomUniform([1, 3, 256, 256], low: -1, high: 1, generator: RandomGenerator(seed: 1))
            return [trainer.loss(images: photo).terms["loss"]!, trainer.loss(images: photo).terms["loss"]!]
        }
        let a = run(seed: 1), b = run(seed: 1)
        #expect(a == b)
        #expect(a[0] != a[1], "dropout should draw new masks each call")
    }

    /// Accumulating 2 micro-batches of 2 gives the gradients of one batch of 4 (float summation aside).
    @Test func accumulationMatchesOneBatch() {
        let model = Self.smallModel()
        let lpips = LPIPS(channels: [8, 16, 24, 16, 16], generator: RandomGenerator(seed: 6))
        let trainer = StageTwoTrainer(model: model, objective: StageTwoObjective(lpips: lpips, identity: nil))
        model.eval()
        let photos = Tensor.randomUniform([4, 3, 256, 256], low: -1, high: 1, generator: RandomGenerator(seed: 9))
        let whole = trainer.computeGradients(images: photos)
        let wholeGradients = trainer.smart.parameters().map { $0.grad! }
        let accumulated = trainer.computeGradients(images: photos, accumulationSteps: 2)
        for (p, expected) in zip(trainer.smart.parameters(), wholeGradients) {
            #expect(relativeError(p.grad!, expected) < 1e-5)
        }
        for key in whole.keys { #expect(abs(whole[key]! - accumulated[key]!) <= 1e-6 * abs(whole[key]!) + 1e-7, "\(key)") }
    }

    /// The objective sums the released terms with the released weights (and no W+ term).
    @Test func objectiveWeighsTheTermsAsReleased() {
        let rng = RandomGenerator(seed: 2)
        let target = Tensor.randomUniform([1, 3, 8, 8], low: -1, high: 1, generator: rng)
        let reconstruction = Tensor.randomUniform([1, 3, 8, 8], low: -1, high: 1, generator: rng)
        let (loss, terms) = StageTwoObjective(lpips: nil, identity: nil)(reconstruction: reconstruction, target: target)
        let l2 = (target - reconstruction).pow(2).mean().item()
        #expect(loss.item() == l2)
        #expect(terms == ["loss_l2": l2, "loss": l2])
    }
}
