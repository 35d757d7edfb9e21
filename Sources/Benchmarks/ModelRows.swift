import Foundation
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
        stageOneTrainingStep(batch: 4), stageTwoTrainingStep(batch: 4),
        ganIteration(size: 64, batch: 32), ganIteration(size: 256, batch: 8),
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
        BenchmarkRow(name: "stage1_step_b\(batch)", summary: "stage-1 training step (ID + MSE + LPIPS + align, Ranger), 1024 generator, batch \(batch)",
                     flops: 0, minimumRuns: 3) {
            let model = StylePrompterModel(encoder: SwinConfiguration(), generator: GeneratorConfiguration(size: 1024), withSMART: false, seed: 1)
            let objective = StageOneObjective(lpips: LPIPS(), identity: IdentityLoss(facenet: IRSEBackbone()))
            let trainer = StageOneTrainer(model: model, objective: objective)
            let images = Tensor.randomUniform([batch, 3, 256, 256], low: -1, high: 1, generator: RandomGenerator(seed: 2))
            if ProcessInfo.processInfo.environment["BENCH_MEMORY_TRACE"] != nil {
                return {
                    let pool = StoragePool.shared
                    func report(_ phase: String) {
                        print(String(format: "  %-28@ live %6.2f GiB  peak live %6.2f GiB  cached %5.2f GiB  RSS peak %6.2f GiB",
                                     phase as NSString, Double(pool.liveBytes) / 1_073_741_824, Double(pool.peakLiveBytes) / 1_073_741_824,
                                     Double(pool.cachedBytes) / 1_073_741_824, Double(peakResidentKiB()) / 1_048_576))
                    }
                    pool.resetPeak(); report("start")
                    trainer.optimizer.zeroGradients()
                    let encoded = trainer.model.encode(images); report("encoder forward")
                    let reconstruction = trainer.model.decode(encoded, useSMART: false, noise: .stored, recomputingFrom: trainer.recomputingFrom)
                        .adaptiveAveragePool2d(outputHeight: 256, outputWidth: 256); report("generator forward")
                    let (loss, _) = objective(reconstruction: reconstruction, target: images, latents: encoded.latents,
                                              latentAverage: trainer.model.latentAverage); report("loss forward")
                    loss.backward(); report("backward")
                    trainer.optimizer.step(); report("Ranger step")
                }
            }
            return { trainer.step(images: images) }
        }
    }

    /// One stage-2 step as the released coach runs it (`--type full --multi_id True`): encoder
    /// frozen and run without a graph → W+ and features → 1024-px generator with SMART (β = 1) →
    /// 256-px pool → 0.1·multi-layer ID (IR-SE50) + 1.0·MSE + 0.6·LPIPS (AlexNet), backward into
    /// SMART only, Ranger update. Training mode (SMART dropout, encoder drop-path), stored noise.
    static func stageTwoTrainingStep(batch: Int) -> BenchmarkRow {
        BenchmarkRow(name: "stage2_step_b\(batch)", summary: "stage-2 training step (SMART only: multi-layer ID + MSE + LPIPS, Ranger), 1024 generator, batch \(batch)",
                     flops: 0, minimumRuns: 3) {
            let model = StylePrompterModel(encoder: SwinConfiguration(), generator: GeneratorConfiguration(size: 1024), withSMART: true, seed: 1)
            let objective = StageTwoObjective(lpips: LPIPS(), identity: IdentityLoss(facenet: IRSEBackbone()))
            let trainer = StageTwoTrainer(model: model, objective: objective)
            let images = Tensor.randomUniform([batch, 3, 256, 256], low: -1, high: 1, generator: RandomGenerator(seed: 2))
            return { trainer.step(images: images) }
        }
    }

    /// One GAN training iteration as rosinality's train.py runs it (rosinality's default
    /// architecture: channel multiplier 2, style 512, 8 mapping layers; mixing 0.9; EMA copy), with
    /// the lazy regularisers amortised: R1 every 16 iterations, path length every 4. Three kinds
    /// are timed, each warm-up + median: iteration 1 (no regulariser), 4 (path length only) and
    /// 0 (R1 + path length); the row's seconds are (12·t₁ + 3·t₄ + 1·t₀) / 16, the mean cost of an
    /// iteration over a 16-iteration cycle. An iteration at these sizes takes tens of seconds, so
    /// the row has one warm-up (an iteration 0, which runs every graph the other kinds run) and
    /// one timed run per kind (`minimumRuns` 1); the PyTorch row does the same.
    static func ganIteration(size: Int, batch: Int, minimumRuns: Int = 1) -> BenchmarkRow {
        BenchmarkRow(name: "gan\(size)_b\(batch)",
                     summary: "GAN iteration (D + G, R1/16 and path/4 amortised: (12·plain + 3·path + 1·both)/16), \(size) px, batch \(batch)",
                     minimumRuns: minimumRuns, sharedWarmUp: true) {
            let random = RandomGenerator(seed: 1)
            let configuration = GeneratorConfiguration(size: size)
            let g = Generator(configuration, generator: random)
            let d = Discriminator(size: size, generator: random)
            let ema = Generator(configuration, generator: random)
            let trainer = GANTrainer(generator: g, discriminator: d, ema: ema, seed: 2)
            let real = Tensor.randomUniform([batch, 3, size, size], low: -1, high: 1, generator: RandomGenerator(seed: 3))
            func iteration(_ i: Int) -> () -> Void {
                { trainer.restore(iteration: i, meanPathLength: trainer.meanPathLength); trainer.step(realImages: real) }
            }
            return [Kind(label: "R1 + path (iteration 0)", weight: 1, work: iteration(0)),
                    Kind(label: "plain (iteration 1)", weight: 12, work: iteration(1)),
                    Kind(label: "path (iteration 4)", weight: 3, work: iteration(4))]
        }
    }
}
