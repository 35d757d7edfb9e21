import Inversion
import NeuralNetwork
import StyleGAN
import Tensors

/// Stage 2: SMART learns to refine the generator's 16×16 feature with the photo's encoder
/// features; the encoder and the generator (both from a stage-1 run) are frozen. Encode without
/// gradients (the released `StylePrompter.forward` wraps the encoder in `torch.no_grad()`),
/// synthesise with SMART (β = `weights`, (1, 1) as in training), pool to 256 px, the stage-2
/// objective, backward into SMART, a Ranger step (lr 1e-4 by default).
///
/// As the released `training/coach.py`, the whole model is in training mode (`self.net.train()`):
/// SMART's dropout (p 0.1) is active, and so is the frozen encoder's drop-path; their masks
/// come from `random`. Call `model.encoder.eval()` after `init` for a deterministic encoder.
/// The released forward draws fresh generator noise; `noise` is `.stored` unless set
/// (`.random(trainer.random)` for the released behaviour).
///
/// ```swift
/// let model = try StylePrompterCheckpoint.load(contentsOf: stage1URL)   // stage 1: no SMART yet
/// let trainer = StageTwoTrainer(model: model, objective: StageTwoObjective(lpips: lpips, identity: id))
/// let terms = trainer.step(images: batch, accumulationSteps: 2)
/// ```
public final class StageTwoTrainer {
    public let model: StylePrompterModel
    public let smart: SMARTBlock
    public let objective: StageTwoObjective
    public let optimizer: Ranger
    /// Dropout and drop-path masks (and random noise, if chosen) are drawn from here; a
    /// checkpoint saves its `state256`.
    public let random: RandomGenerator
    /// Averages gradients over the replicas of a data-parallel run; nil alone.
    public private(set) var synchronizer: (any GradientSynchronizer)?
    /// The generator noise of every step.
    public var noise: NoiseMode = .stored
    /// SMART's (β₁, β₂) while training.
    public var weights: SMARTWeights = .standard
    /// Generator levels of this resolution and above (never the SMART layer's) are recomputed
    /// in backward rather than kept; nil keeps all (see `StageOneTrainer.recomputingFrom`).
    public var recomputingFrom: Int? = 64
    /// Generator samples with edited codes added to every step (our addition, off as released).
    public var generatedEdits: GeneratedEdits?

    /// A stage-1 model (no SMART block) is given a fresh one, the released shape (query side and
    /// width from the generator's refined layer), its weights drawn from `seed`.
    public init(model: StylePrompterModel, objective: StageTwoObjective, learningRate: Float = 1e-4, seed: UInt64 = 0) {
        if model.smart == nil {
            let side = 1 << ((model.refinedLayer + 4) / 2)
            model.smart = SMARTBlock(featureShapes: model.encoder.configuration.featureShapes,
                                     queryChannels: model.generator.configuration.channels[side] ?? 512, querySide: side,
                                     generator: RandomGenerator(seed: seed))
        }
        let smart = model.smart!
        self.model = model
        self.smart = smart
        self.objective = objective
        random = RandomGenerator(seed: seed)
        model.encoder.setRequiresGradient(false)
        model.generator.setRequiresGradient(false)
        objective.lpips?.setRequiresGradient(false)
        objective.identity?.facenet.setRequiresGradient(false)
        // The released coach builds both loss networks with `.eval()`.
        objective.lpips?.eval()
        objective.identity?.facenet.eval()
        smart.setRequiresGradient(true)
        model.train()
        model.drawRandomMasks(from: random)
        optimizer = Ranger(parameters: smart.parameters(), learningRate: learningRate)
    }

    /// The stage-2 objective on `images` [B, 3, 256, 256] (targets = inputs), differentiable
    /// with respect to SMART only. With `edits` (`GeneratedEdits.batch`) its k generator samples
    /// join the batch: encoded from their inputs, decoded from their edited codes, and compared
    /// with the generator's image of those codes.
    public func loss(images: Tensor, edits: (inputs: Tensor, latents: Tensor, targets: Tensor)? = nil)
        -> (loss: Tensor, terms: [String: Float]) {
        guard let edits else {
            let encoded = GradientMode.withoutGradients { model.encode(images) }
            let reconstruction = model.decode(encoded, weights: weights, noise: noise, recomputingFrom: recomputingFrom)
                .adaptiveAveragePool2d(outputHeight: images.shape[2], outputWidth: images.shape[3])
            return objective(reconstruction: reconstruction, target: images)
        }
        var encoded = GradientMode.withoutGradients { model.encode(Tensor.concat([images, edits.inputs], axis: 0)) }
        let real = images.shape[0], k = edits.inputs.shape[0]
        precondition(edits.latents.shape == [k] + Array(encoded.latents.shape.dropFirst()),
                     "StageTwoTrainer.loss: edited codes \(edits.latents.shape) for W+ \(encoded.latents.shape)")
        encoded.latents = Tensor.concat([encoded.latents.narrow(0, start: 0, length: real), edits.latents], axis: 0)
        let targets = Tensor.concat([images, edits.targets], axis: 0)
        let reconstruction = model.decode(encoded, weights: weights, noise: noise, recomputingFrom: recomputingFrom)
            .adaptiveAveragePool2d(outputHeight: images.shape[2], outputWidth: images.shape[3])
        let (loss, objectiveTerms) = objective(reconstruction: reconstruction, target: targets)
        var terms = objectiveTerms
        // The edited samples' share of the MSE, to watch apart from the reconstructions'.
        terms["loss_edit_l2"] = GradientMode.withoutGradients {
            (reconstruction.narrow(0, start: real, length: k) - edits.targets).pow(2).mean().item()
        }
        return (loss, terms)
    }

    /// Replaces SMART's gradients by those of the mean loss over `images`, computed in
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
        model.drawRandomMasks(from: random, shard: shard)
    }

    /// One optimisation step on `images` (split into `accumulationSteps` micro-batches whose
    /// gradients are averaged before the one Ranger step); returns the loss terms. With
    /// `generatedEdits`, step `index`'s edited samples join the batch (one micro-batch only).
    @discardableResult
    public func step(images: Tensor, accumulationSteps: Int = 1, index: Int = 0) -> [String: Float] {
        let terms: [String: Float]
        if let generatedEdits {
            precondition(accumulationSteps == 1 && synchronizer == nil,
                         "StageTwoTrainer: edited samples are added to single-process steps without accumulation")
            let edits = generatedEdits.batch(step: index)
            terms = GradientAccumulation.gradients(images: images, steps: 1, optimizer: optimizer, synchronizer: nil) {
                loss(images: $0, edits: edits)
            }
        } else {
            terms = computeGradients(images: images, accumulationSteps: accumulationSteps)
        }
        optimizer.step()
        return terms
    }
}
