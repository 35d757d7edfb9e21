import Inversion
import NeuralNetwork
import StyleGAN
import Tensors

/// Stage 1: the encoder (latent tokens included) learns to invert through the frozen generator
/// — encode, synthesise without SMART, pool to 256 px (the released `face_pool`), the stage-1
/// objective, backward into the encoder, a Ranger step (lr 1e-4 by default).
///
/// As the released `coach_baseline.py`: the model is in training mode (the encoder's drop-path
/// is active; its masks come from `random`), gradients are zeroed before every step. The
/// released forward also draws fresh generator noise (`randomize_noise=True`); `noise` is
/// `.stored` unless set (`.random(trainer.random)` for the released behaviour).
///
/// ```swift
/// let trainer = StageOneTrainer(model: model, objective: StageOneObjective(lpips: lpips, identity: id))
/// let terms = trainer.step(images: batch)                        // [B, 3, 256, 256] in [−1, 1]
/// let same = trainer.step(images: batch, accumulationSteps: 2)   // two micro-batches of B/2
/// ```
public final class StageOneTrainer {
    public let model: StylePrompterModel
    public let objective: StageOneObjective
    public let optimizer: Ranger
    /// Generator levels of this resolution and above are recomputed in backward rather than
    /// kept (memory: a 1024-px step at batch 4 otherwise holds ~10 GB of activations; the extra
    /// forward costs a few percent of the step); nil keeps all.
    public var recomputingFrom: Int? = 64
    /// Drop-path masks (and random noise, if chosen) are drawn from here; a checkpoint saves its `state256`.
    public let random: RandomGenerator
    /// Averages gradients over the replicas of a data-parallel run; nil alone.
    public private(set) var synchronizer: (any GradientSynchronizer)?
    /// The generator noise of every step.
    public var noise: NoiseMode = .stored
    /// Generator samples with known W+ added to every step (our addition, off as released).
    public var generatedTargets: GeneratedLatentTargets?

    public init(model: StylePrompterModel, objective: StageOneObjective, learningRate: Float = 1e-4, seed: UInt64 = 0) {
        self.model = model
        self.objective = objective
        random = RandomGenerator(seed: seed)
        model.generator.setRequiresGradient(false)
        model.smart?.setRequiresGradient(false)
        objective.lpips?.setRequiresGradient(false)
        objective.identity?.facenet.setRequiresGradient(false)
        // The released coach builds both loss networks with `.eval()`.
        objective.lpips?.eval()
        objective.identity?.facenet.eval()
        model.encoder.setRequiresGradient(true)
        model.encoder.train()
        model.encoder.drawRandomMasks(from: random)
        optimizer = Ranger(parameters: model.encoder.parameters(), learningRate: learningRate)
    }

    /// The stage-1 objective on `images` [B, 3, 256, 256] (the targets are the inputs, as in
    /// the released `ffhq_encode`), differentiable with respect to the encoder. With
    /// `latentTargets` [k, n, D] the last k images are generator samples whose W+ is known, and
    /// `latentWeight` · MSE(W+, target) is added as `loss_latent`.
    public func loss(images: Tensor, latentTargets: Tensor? = nil, latentWeight: Float = 1) -> (loss: Tensor, terms: [String: Float]) {
        let encoded = model.encode(images)
        let reconstruction = model.decode(encoded, useSMART: false, noise: noise, recomputingFrom: recomputingFrom)
            .adaptiveAveragePool2d(outputHeight: images.shape[2], outputWidth: images.shape[3])
        var (loss, terms) = objective(reconstruction: reconstruction, target: images, latents: encoded.latents,
                                      latentAverage: model.latentAverage)
        if let latentTargets {
            let k = latentTargets.shape[0], batch = images.shape[0]
            precondition(k <= batch && latentTargets.shape == [k] + Array(encoded.latents.shape.dropFirst()),
                         "StageOneTrainer.loss: latent targets \(latentTargets.shape) for W+ \(encoded.latents.shape)")
            let term = (encoded.latents.narrow(0, start: batch - k, length: k) - latentTargets).pow(2).mean()
            terms["loss_latent"] = term.item()
            loss = loss + term * latentWeight
            terms["loss"] = loss.item()
        }
        return (loss, terms)
    }

    /// Replaces the encoder's gradients by those of the mean loss over `images`, computed in
    /// `accumulationSteps` equal micro-batches; returns the terms averaged over them.
    /// In a data-parallel run (`replicate(as:synchronizer:)`) the gradients and terms are
    /// those of the global batch, the same on every replica.
    @discardableResult
    public func computeGradients(images: Tensor, accumulationSteps: Int = 1) -> [String: Float] {
        GradientAccumulation.gradients(images: images, steps: accumulationSteps, optimizer: optimizer,
                                       synchronizer: synchronizer) { loss(images: $0) }
    }

    /// Makes this trainer one replica of a data-parallel run: it trains on `shard` of every
    /// global batch (its masks drawn for the whole batch from the shared stream), and its
    /// gradients are averaged with the other replicas' before each step.
    public func replicate(as shard: BatchShard, synchronizer: any GradientSynchronizer) {
        self.synchronizer = synchronizer
        model.encoder.drawRandomMasks(from: random, shard: shard)
    }

    /// One optimisation step on `images` (split into `accumulationSteps` micro-batches whose
    /// gradients are averaged before the one Ranger step); returns the loss terms. With
    /// `generatedTargets`, step `index`'s generator samples join the batch (one micro-batch only).
    @discardableResult
    public func step(images: Tensor, accumulationSteps: Int = 1, index: Int = 0) -> [String: Float] {
        let terms: [String: Float]
        if let generatedTargets {
            precondition(accumulationSteps == 1 && synchronizer == nil,
                         "StageOneTrainer: generator samples are added to single-process steps without accumulation")
            let (samples, latents) = generatedTargets.batch(step: index)
            terms = GradientAccumulation.gradients(images: Tensor.concat([images, samples], axis: 0), steps: 1,
                                                   optimizer: optimizer, synchronizer: nil) {
                loss(images: $0, latentTargets: latents, latentWeight: generatedTargets.latentWeight)
            }
        } else {
            terms = computeGradients(images: images, accumulationSteps: accumulationSteps)
        }
        optimizer.step()
        return terms
    }
}
