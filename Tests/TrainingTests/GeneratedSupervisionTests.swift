import Foundation
import Inversion
import StyleGAN
import Tensors
import Testing
import Training

/// The default model's additions to the released recipe: stage 1's generator samples with
/// known W+ (`GeneratedLatentTargets`) and stage 2's edited samples (`GeneratedEdits`).
@Suite struct GeneratedSupervisionTests {
    static func model() -> StylePrompterModel {
        StylePrompterModel(
            encoder: SwinConfiguration(imageSize: 32, embedDimension: 8, depths: [2, 2, 1, 1], heads: [1, 2, 2, 4], windowSize: 8,
                                       latentTokens: 8, headHiddenDimension: 32, styleDimension: 32),
            generator: GeneratorConfiguration(size: 32, styleDimension: 32, mappingLayers: 2, channels: [4: 16, 8: 16, 16: 8, 32: 8]),
            withSMART: true, seed: 4)
    }

    /// A step's samples are a pure function of (seed, step): the source's items step·k …, their
    /// images the generator's (clamped, after pooling to the image size), and another step draws others.
    @Test func latentTargetsArePureFunctionsOfTheStep() {
        let g = StyleGANTiny.generator()
        let targets = GeneratedLatentTargets(generator: g, seed: 5, perStep: 3, latentWeight: 1, imageSize: 16)
        let (images, latents) = targets.batch(step: 2)
        #expect(images.shape == [3, 3, 16, 16] && latents.shape == [3, g.configuration.latentCount, 16])
        #expect(targets.batch(step: 2).images.scalars == images.scalars)
        #expect(targets.batch(step: 3).latents.scalars != latents.scalars)
        #expect(latents.narrow(0, start: 1, length: 1).squeeze(0).scalars == targets.samples.latents(at: 7)!.scalars)
        let expected = GradientMode.withoutGradients { g.synthesize(latents).clamp(min: -1, max: 1) }
        #expect(images.scalars == expected.scalars)
        let pooled = GeneratedLatentTargets(generator: g, seed: 5, perStep: 3, latentWeight: 1, imageSize: 8).batch(step: 2).images
        #expect(pooled.shape == [3, 3, 8, 8])
        let raw = GradientMode.withoutGradients { g.synthesize(latents) }
        #expect(pooled.scalars == raw.adaptiveAveragePool2d(outputHeight: 8, outputWidth: 8).clamp(min: -1, max: 1).scalars)
    }

    /// With targets, stage 1's loss is the released objective plus weight · MSE between the last
    /// k images' W+ and the targets; steps on the same samples pull the W+ towards them.
    @Test func stageOneAddsTheLatentTerm() {
        let model = Self.model()
        model.eval()    // drop-path off: the comparisons need one network
        let trainer = StageOneTrainer(model: model, objective: StageOneObjective(lpips: nil, identity: nil), learningRate: 1e-3)
        model.eval()
        let targets = GeneratedLatentTargets(generator: model.generator, seed: 1, perStep: 2, latentWeight: 0.5, imageSize: 32)
        let photos = Tensor.randomUniform([2, 3, 32, 32], low: -1, high: 1, generator: RandomGenerator(seed: 3))
        let (samples, latents) = targets.batch(step: 0)
        let images = Tensor.concat([photos, samples], axis: 0)
        let (loss, terms) = GradientMode.withoutGradients { trainer.loss(images: images, latentTargets: latents, latentWeight: 0.5) }
        let (plain, _) = GradientMode.withoutGradients { trainer.loss(images: images) }
        let predicted = GradientMode.withoutGradients { model.encode(images).latents.narrow(0, start: 2, length: 2) }
        let latentTerm = (predicted - latents).pow(2).mean().item()
        #expect(abs(terms["loss_latent"]! - latentTerm) <= 1e-6 * max(1, latentTerm))
        #expect(abs(loss.item() - (plain.item() + 0.5 * latentTerm)) <= 1e-5 * max(1, loss.item()))
        trainer.generatedTargets = targets
        let first = trainer.step(images: photos, index: 0)
        var last = first
        for _ in 0..<5 { last = trainer.step(images: photos, index: 0) }
        #expect(last["loss_latent"]! < first["loss_latent"]!, "\(first) → \(last)")
    }

    /// Each edit moves a sample's code a fraction t ∈ [0, reach] of the way to the next sample's
    /// (every W+ row alike); the inputs are the samples' images and the targets the edited codes'.
    @Test func editsMoveTowardsTheNextSample() {
        let g = StyleGANTiny.generator()
        let edits = GeneratedEdits(generator: g, seed: 9, perStep: 3, reach: 0.5, imageSize: 16)
        let (inputs, edited, targets) = edits.batch(step: 4)
        let codes = Tensor.concat((0..<3).map { edits.samples.latents(at: 12 + $0)!.unsqueeze(0) }, axis: 0)
        for j in 0..<3 {
            let code = codes.narrow(0, start: j, length: 1).scalars, partner = codes.narrow(0, start: (j + 1) % 3, length: 1).scalars
            let moved = edited.narrow(0, start: j, length: 1).scalars
            // The same fraction on every element: fit it by least squares and check every element.
            let d = zip(partner, code).map { $0 - $1 }, m = zip(moved, code).map { $0 - $1 }
            let fraction = zip(d, m).map { $0 * $1 }.reduce(0, +) / d.map { $0 * $0 }.reduce(0, +)
            #expect(fraction >= 0 && fraction <= 0.5, "sample \(j): t \(fraction)")
            #expect(zip(d, m).allSatisfy { abs($0 * fraction - $1) <= 1e-5 * max(1, abs($1)) })
        }
        let image = { (w: Tensor) in GradientMode.withoutGradients { g.synthesize(w).clamp(min: -1, max: 1) } }
        #expect(inputs.scalars == image(codes).scalars)
        #expect(targets.scalars == image(edited).scalars)
        #expect(edits.batch(step: 4).latents.scalars == edited.scalars)
        #expect(GeneratedEdits(generator: g, seed: 9, perStep: 3, reach: 0, imageSize: 16).batch(step: 4).latents.scalars == codes.scalars)
    }

    /// With edits, stage 2's batch holds the photos and the edited samples: the samples are
    /// decoded from their edited codes with their own encoder features, against the codes'
    /// images; steps on the same edits bring SMART's output closer to them.
    @Test func stageTwoDecodesTheEditedCodes() {
        let model = Self.model()
        let trainer = StageTwoTrainer(model: model, objective: StageTwoObjective(lpips: nil, identity: nil), learningRate: 1e-3)
        model.eval()    // dropout and drop-path off
        let edits = GeneratedEdits(generator: model.generator, seed: 2, perStep: 2, imageSize: 32)
        let photos = Tensor.randomUniform([2, 3, 32, 32], low: -1, high: 1, generator: RandomGenerator(seed: 3))
        let batch = edits.batch(step: 0)
        let (loss, terms) = GradientMode.withoutGradients { trainer.loss(images: photos, edits: batch) }
        let expected = GradientMode.withoutGradients { () -> Tensor in
            var encoded = model.encode(Tensor.concat([photos, batch.inputs], axis: 0))
            encoded.latents = Tensor.concat([encoded.latents.narrow(0, start: 0, length: 2), batch.latents], axis: 0)
            return model.decode(encoded)
        }
        let edited = expected.narrow(0, start: 2, length: 2)
        #expect(abs(terms["loss_edit_l2"]! - (edited - batch.targets).pow(2).mean().item()) <= 1e-6)
        let l2 = (expected - Tensor.concat([photos, batch.targets], axis: 0)).pow(2).mean().item()
        #expect(abs(loss.item() - l2) <= 1e-5 * max(1, l2))
        trainer.generatedEdits = edits
        let first = trainer.step(images: photos, index: 0)
        var last = first
        for _ in 0..<5 { last = trainer.step(images: photos, index: 0) }
        #expect(last["loss_edit_l2"]! < first["loss_edit_l2"]!, "\(first) → \(last)")
    }

    /// The options are refused where they cannot apply, with the option named.
    @Test func configurationRefusesMisplacedOptions() {
        func message(_ change: (inout EncoderTrainingConfiguration) -> Void) -> String {
            var c = EncoderTrainingConfiguration()
            c.generator = "g"
            change(&c)
            do { try c.validate(); return "" } catch { return "\(error)" }
        }
        #expect(message { $0.generatedPerStep = 4 } == "")
        #expect(message { $0.stage = 2; $0.stageOneModel = "m"; $0.generatedPerStep = 4 }.contains("--generated: stage 1 only"))
        #expect(message { $0.editedPerStep = 4 }.contains("--edited: stage 2 only"))
        #expect(message { $0.stage = 2; $0.stageOneModel = "m"; $0.editedPerStep = 1 }.contains("--edited 1"))
        #expect(message { $0.generatedPerStep = 2; $0.accumulation = 2 }.contains("--accumulate 1"))
        #expect(message { $0.generatedPerStep = -1 }.contains("--generated -1"))
        #expect(message { $0.latentWeight = .nan }.contains("--latent-weight"))
        #expect(message { $0.editReach = -1 }.contains("--edit-reach"))
    }
}
