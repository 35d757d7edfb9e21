import StyleGAN
import Tensors

/// Stage-1 supervision the default model adds to the released recipe: every step also encodes
/// `perStep` of the frozen generator's own samples, whose W+ is known, and pulls the encoder's
/// W+ for them towards it (`latentWeight` · mean squared difference).
///
/// Why: trained on images alone, a small encoder on a small synthetic domain learns to
/// reconstruct through W+ that the generator's edit directions do not read — the first shipped
/// 64-px model's stage 1 kept background, skin and hair but not mouth, eyes or glasses (attribute
/// fidelity near 0), so SMART put them back from the input and its edits barely moved. On the
/// generator's samples the answer is known, and it is a W+ the directions act on.
///
/// Step `s`'s samples are items `s·perStep …` of a `GeneratorSampleSource`: a pure function of
/// the seed and the step, so a resumed run draws exactly the samples the interrupted one would.
///
/// ```swift
/// let targets = GeneratedLatentTargets(generator: g, seed: 7, perStep: 4, latentWeight: 1, imageSize: 64)
/// let (images, latents) = targets.batch(step: 12)   // [4, 3, 64, 64] in [−1, 1], [4, n, D]
/// ```
public struct GeneratedLatentTargets {
    public let samples: GeneratorSampleSource
    public let perStep: Int
    public let latentWeight: Float
    /// The encoder's input size: samples larger than it are average-pooled to it.
    public let imageSize: Int

    public init(generator: Generator, seed: UInt64, perStep: Int, latentWeight: Float, imageSize: Int) {
        precondition(perStep >= 1, "GeneratedLatentTargets: perStep \(perStep), expected ≥ 1")
        samples = GeneratorSampleSource(generator: generator, seed: seed)
        precondition(samples.canFeed(size: imageSize),
                     "GeneratedLatentTargets: a \(generator.configuration.size)-px generator cannot feed \(imageSize)-px images")
        self.perStep = perStep
        self.latentWeight = latentWeight
        self.imageSize = imageSize
    }

    /// Step `step`'s samples: images [perStep, 3, S, S] clamped to [−1, 1] (the range of the
    /// loaded images they are trained beside) and the W+ [perStep, n, D] each came from.
    public func batch(step: Int) -> (images: Tensor, latents: Tensor) {
        let latents = samples.latents(from: step * perStep, count: perStep)
        return (samples.images(of: latents, size: imageSize), latents)
    }
}
