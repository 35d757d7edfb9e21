import StyleGAN
import Tensors

/// Stage-2 supervision the default model adds to the released recipe: generator samples whose
/// latent has been moved, so that SMART learns to leave an edit alone.
///
/// Why: SMART is trained only to reconstruct its input, so it learns to put back everything the
/// W+ code misses — and an edit is, to it, one more thing the code gets wrong: on the first shipped
/// 64-px model a yaw edit that turned the stage-1 face turned SMART's face only as a ghost. With
/// the generator's own samples the right answer for an edited code is known: for x = G(w) and
/// w′ = w + t·(w₂ − w) (t uniform in [0, `reach`], w₂ another sample's code, every W+ row moved
/// as a W edit moves them), SMART fed x's encoder features and w′ should give G(w′) — whatever
/// x showed that w′ no longer says must not come back.
///
/// Step `s`'s samples are items `s·perStep …` of a `GeneratorSampleSource` and its t's come from
/// a stream seeded by (seed, s): a resumed run draws exactly what the interrupted one would.
///
/// ```swift
/// let edits = GeneratedEdits(generator: g, seed: 9, perStep: 4, reach: 1, imageSize: 64)
/// let (inputs, latents, targets) = edits.batch(step: 3)   // x, w′, G(w′)
/// ```
public struct GeneratedEdits {
    public let samples: GeneratorSampleSource
    public let perStep: Int
    /// The largest fraction of the way to the other sample's code an edit goes.
    public let reach: Float
    /// The encoder's input size: samples larger than it are average-pooled to it.
    public let imageSize: Int

    public init(generator: Generator, seed: UInt64, perStep: Int, reach: Float = 1, imageSize: Int) {
        precondition(perStep >= 2, "GeneratedEdits: perStep \(perStep), expected ≥ 2 (each edit moves towards another sample)")
        precondition(reach.isFinite && reach >= 0, "GeneratedEdits: reach \(reach), expected finite and ≥ 0")
        samples = GeneratorSampleSource(generator: generator, seed: seed)
        precondition(samples.canFeed(size: imageSize),
                     "GeneratedEdits: a \(generator.configuration.size)-px generator cannot feed \(imageSize)-px images")
        self.perStep = perStep
        self.reach = reach
        self.imageSize = imageSize
    }

    /// Step `step`'s edits: the encoder's inputs x = G(w) [k, 3, S, S], the edited codes w′
    /// [k, n, D] and the targets G(w′) [k, 3, S, S], images clamped to [−1, 1].
    public func batch(step: Int) -> (inputs: Tensor, latents: Tensor, targets: Tensor) {
        GradientMode.withoutGradients {
            let codes = samples.latents(from: step * perStep, count: perStep)
            // Sample j moves towards sample j + 1 (the last towards the first).
            let partners = Tensor.concat([codes.narrow(0, start: 1, length: perStep - 1), codes.narrow(0, start: 0, length: 1)], axis: 0)
            let random = RandomGenerator(seed: StableHash.mix(samples.seed ^ 0xED17 ^ StableHash.mix(UInt64(step))))
            let fractions = Tensor(shape: [perStep, 1, 1], scalars: (0..<perStep).map { _ in random.nextUniform() * reach })
            let edited = codes + (partners - codes) * fractions
            return (samples.images(of: codes, size: imageSize), edited, samples.images(of: edited, size: imageSize))
        }
    }
}
