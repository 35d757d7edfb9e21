import Inversion
import NeuralNetwork
import Tensors

/// Stage 1: the encoder (latent tokens included) learns to invert through the frozen generator
/// — encode, synthesise without SMART, pool to 256 px (the released `face_pool`), the stage-1
/// objective, backward into the encoder, a Ranger step (lr 1e-4 by default).
///
/// ```swift
/// let trainer = StageOneTrainer(model: model, objective: StageOneObjective(lpips: lpips, identity: id))
/// let terms = trainer.step(images: batch)          // [B, 3, 256, 256] in [−1, 1]
/// ```
public final class StageOneTrainer {
    public let model: StylePrompterModel
    public let objective: StageOneObjective
    public let optimizer: Ranger
    /// Generator levels of this resolution and above are recomputed in backward rather than
    /// kept (memory: a 1024-px step at batch 4 otherwise holds ~10 GB of activations); nil keeps all.
    public var recomputingFrom: Int? = 256

    public init(model: StylePrompterModel, objective: StageOneObjective, learningRate: Float = 1e-4) {
        self.model = model
        self.objective = objective
        model.generator.setRequiresGradient(false)
        model.smart?.setRequiresGradient(false)
        objective.lpips?.setRequiresGradient(false)
        objective.identity?.facenet.setRequiresGradient(false)
        model.encoder.setRequiresGradient(true)
        model.encoder.train()
        optimizer = Ranger(parameters: model.encoder.parameters(), learningRate: learningRate)
    }

    /// One optimisation step on `images`; returns the loss terms.
    @discardableResult
    public func step(images: Tensor) -> [String: Float] {
        let encoded = model.encode(images)
        let reconstruction = model.decode(encoded, useSMART: false, recomputingFrom: recomputingFrom)
            .adaptiveAveragePool2d(outputHeight: images.shape[2], outputWidth: images.shape[3])
        let (loss, terms) = objective(reconstruction: reconstruction, target: images, latents: encoded.latents,
                                      latentAverage: model.latentAverage)
        optimizer.zeroGradients()
        loss.backward()
        optimizer.step()
        return terms
    }
}
