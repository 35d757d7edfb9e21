import Imaging
import StyleGAN
import Tensors

/// Images synthesised on the fly by a StyleGAN2 generator, with the W+ each came from: item i
/// maps z drawn from a generator seeded by (seed, i), optionally truncated, through the
/// generator with its stored noise. Useful for training an encoder with a known answer.
///
/// The generator is only read (no gradients); decoding threads share it, so it must not be
/// trained while a loader draws from it.
///
/// ```swift
/// let samples = GeneratorSampleSource(generator: g, seed: 1, truncation: 0.7, latentAverage: g.meanLatent(generator: rng))
/// ```
public struct GeneratorSampleSource: TrainingImageSource, @unchecked Sendable {
    public let generator: Generator
    public let seed: UInt64
    public let truncation: Float
    public let latentAverage: Tensor?

    public init(generator: Generator, seed: UInt64, truncation: Float = 1, latentAverage: Tensor? = nil) {
        precondition(truncation == 1 || latentAverage != nil, "GeneratorSampleSource: truncation \(truncation) needs a latent average")
        self.generator = generator
        self.seed = seed
        self.truncation = truncation
        self.latentAverage = latentAverage
    }

    public var count: Int? { nil }
    public func name(of index: Int) -> String { "generator sample \(index) (seed \(seed))" }

    /// W+ [n_latent, D] of item `index`.
    public func latents(at index: Int) -> Tensor? {
        GradientMode.withoutGradients {
            let random = RandomGenerator(seed: StableHash.mix(seed ^ StableHash.mix(UInt64(index))))
            var w = generator.mapping(Tensor.randomNormal([1, generator.configuration.styleDimension], generator: random))
            if truncation < 1, let latentAverage { w = generator.truncate(w, toward: latentAverage, psi: truncation) }
            return generator.broadcastLatent(w).squeeze(0)
        }
    }

    /// W+ of items `first ..< first + count`, stacked: [count, n_latent, D].
    public func latents(from first: Int, count: Int) -> Tensor {
        Tensor.concat((0..<count).map { latents(at: first + $0)!.unsqueeze(0) }, axis: 0)
    }

    /// The generator's images of `latents` [k, n_latent, D] (stored noise, no gradients),
    /// average-pooled to `size` px when the generator's are larger, then clamped to [−1, 1] —
    /// the range of the loaded images they are trained beside.
    public func images(of latents: Tensor, size: Int) -> Tensor {
        GradientMode.withoutGradients {
            var images = generator.synthesize(latents, noise: .stored)
            if images.shape[2] != size { images = images.adaptiveAveragePool2d(outputHeight: size, outputWidth: size) }
            return images.clamp(min: -1, max: 1)
        }
    }

    /// Whether this source's images can be pooled to `size` px (the generator's size is a multiple of it).
    public func canFeed(size: Int) -> Bool {
        let own = generator.configuration.size
        return own >= size && own % size == 0
    }

    public func image(at index: Int) throws -> Image {
        let latents = latents(at: index)!
        let image = GradientMode.withoutGradients { generator.synthesize(latents.unsqueeze(0), noise: .stored) }
        return try Image.images(from: image)[0]
    }
}
