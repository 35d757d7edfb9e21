import Inversion
import NeuralNetwork
import Perceptual
import StyleGAN
import Tensors
import Training

/// Whole-model rows: the same work as `model_rows()` in `Scripts/bench_pytorch_models.py`, on
/// seeded random weights of the real shapes (weights do not change the cost).
extension BenchmarkRow {
    static var modelRows: [BenchmarkRow] { [
        generatorForward(size: 256, batch: 1), generatorForward(size: 256, batch: 4),
        generatorForward(size: 1024, batch: 1), generatorForward(size: 1024, batch: 4),
        generatorBackward(size: 256),
        encoderForward(batch: 1), encoderForward(batch: 8),
        inversion1024(),
        stageOneTrainingStep(batch: 4),
    ] }

    /// W+ → image, stored noise, no graph.
    static func generatorForward(size: Int, batch: Int) -> BenchmarkRow {
        BenchmarkRow(name: "generator\(size)_b\(batch)", summary: "StyleGAN2 \(size) px (cm 2) forward from W+, batch \(batch)", flops: 0) {
            let g = Generator(GeneratorConfiguration(size: size), generator: RandomGenerator(seed: 1))
            let latents = Tensor.randomNormal([batch, g.configuration.latentCount, 512], generator: RandomGenerator(seed: 2))
            return { _ = GradientMode.withoutGradients { g.synthesize(latents) } }
        }
    }

    /// Forward and backward of `(image · gout).sum()` to W+, batch 1, generator frozen.
    static func generatorBackward(size: Int) -> BenchmarkRow {
        BenchmarkRow(name: "generator\(size)_backward", summary: "StyleGAN2 \(size) px forward + backward to W+, batch 1", flops: 0) {
            let g = Generator(GeneratorConfiguration(size: size), generator: RandomGenerator(seed: 1))
            g.setRequiresGradient(false)
            let latents = Tensor.randomNormal([1, g.configuration.latentCount, 512], generator: RandomGenerator(seed: 2))
            latents.requiresGrad = true
            let gout = Tensor.randomNormal([1, 3, size, size], generator: RandomGenerator(seed: 3))
            return {
                latents.grad = nil
                (g.synthesize(latents) * gout).sum().backward()
            }
        }
    }

    /// Swin-V2-T with 18 latent tokens, 256 px, no graph.
    static func encoderForward(batch: Int) -> BenchmarkRow {
        BenchmarkRow(name: "encoder_b\(batch)", summary: "Swin-V2-T encoder + 18 latent tokens, 256 px, batch \(batch)", flops: 0) {
            let encoder = SwinEncoder(SwinConfiguration(), generator: RandomGenerator(seed: 1))
            encoder.eval()
            let images = Tensor.randomUniform([batch, 3, 256, 256], low: -1, high: 1, generator: RandomGenerator(seed: 2))
            return { _ = GradientMode.withoutGradients { encoder(images) } }
        }
    }

    /// Photo → W+ → 1024-px image with SMART, batch 1.
    static func inversion1024() -> BenchmarkRow {
        BenchmarkRow(name: "invert1024_b1", summary: "full inversion: encoder + 1024-px generator with SMART, batch 1", flops: 0) {
            let model = StylePrompterModel(encoder: SwinConfiguration(), generator: GeneratorConfiguration(size: 1024), seed: 1)
            model.eval()
            let image = Tensor.randomUniform([1, 3, 256, 256], low: -1, high: 1, generator: RandomGenerator(seed: 2))
            return { _ = GradientMode.withoutGradients { model(image).image } }
        }
    }

    /// One stage-1 step as the released coach runs it: encoder → W+ → frozen 1024 generator →
    /// 256-px pool → 0.1·ID (IR-SE50) + 1.0·MSE + 0.6·LPIPS (AlexNet) + 0.1·align, backward into
    /// the encoder, Ranger update.
    static func stageOneTrainingStep(batch: Int) -> BenchmarkRow {
        BenchmarkRow(name: "stage1_step_b\(batch)", summary: "stage-1 training step (ID + MSE + LPIPS + align, Ranger), 1024 generator, batch \(batch)", flops: 0) {
            let model = StylePrompterModel(encoder: SwinConfiguration(), generator: GeneratorConfiguration(size: 1024), withSMART: false, seed: 1)
            let objective = StageOneObjective(lpips: LPIPS(), identity: IdentityLoss(facenet: IRSEBackbone()))
            let trainer = StageOneTrainer(model: model, objective: objective)
            let images = Tensor.randomUniform([batch, 3, 256, 256], low: -1, high: 1, generator: RandomGenerator(seed: 2))
            return { trainer.step(images: images) }
        }
    }
}
