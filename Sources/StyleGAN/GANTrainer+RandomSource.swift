import Tensors

extension GANTrainer {
    /// Where an iteration's random draws come from, asked for in the order rosinality's
    /// `train.py` makes them: per generator call the z's (`mixing_noise`), the crossover of a
    /// mixed pair, the noise of that call; for the path-length step also the probe.
    ///
    /// The trainer's own stream (`RandomGenerator`, the default `randomSource`) is one
    /// implementation; a test replays recorded draws with another:
    ///
    /// ```swift
    /// trainer.randomSource = RecordedDraws(…)   // conforms to GANTrainer.RandomSource
    /// trainer.step(realImages: batch)           // same draws as the PyTorch run
    /// ```
    public protocol RandomSource: AnyObject {
        /// One z [batch, dimension], or two (style mixing) with probability `mixingProbability`.
        func latents(batch: Int, dimension: Int, mixingProbability: Float) -> [Tensor]
        /// The first layer taken from the second z of a mixed pair, in 1..<latentCount
        /// (rosinality's `random.randint(1, n_latent − 1)`).
        func crossover(latentCount: Int) -> Int
        /// The per-layer noise of one generator call (rosinality's `randomize_noise=True`).
        func noise() -> NoiseMode
        /// The path-length probe for `images`: standard normal scaled by 1/√(H·W).
        func pathLengthProbe(like images: Tensor) -> Tensor
    }
}

/// The default source: every draw from one seeded stream, in the order `GANTrainer` has always
/// drawn them (a uniform for the mixing decision, then the z's; the crossover; the noise
/// lazily, layer by layer, as the generator runs; the probe).
extension RandomGenerator: GANTrainer.RandomSource {
    public func latents(batch: Int, dimension: Int, mixingProbability: Float) -> [Tensor] {
        let count = nextUniform() < mixingProbability ? 2 : 1
        return (0..<count).map { _ in Tensor.randomNormal([batch, dimension], generator: self) }
    }

    public func crossover(latentCount: Int) -> Int {
        1 + Int(next() % UInt64(latentCount - 1))
    }

    public func noise() -> NoiseMode { .random(self) }

    public func pathLengthProbe(like images: Tensor) -> Tensor {
        GANLosses.pathLengthProbe(like: images, generator: self)
    }
}

/// The draws of one process of a data-parallel run: the same stream as one process, every
/// per-sample draw (z, noise, path-length probe) made for the global batch with this process
/// keeping its rows (`BatchShard`), and the per-batch draws (mixing, crossover) shared. Every
/// process's stream stays identical, and the run draws what one process would.
public final class ShardedDraws: GANTrainer.RandomSource {
    public let random: RandomGenerator
    public let shard: BatchShard

    public init(random: RandomGenerator, shard: BatchShard) {
        self.random = random
        self.shard = shard
    }

    public func latents(batch: Int, dimension: Int, mixingProbability: Float) -> [Tensor] {
        let count = random.nextUniform() < mixingProbability ? 2 : 1
        return (0..<count).map { _ in shard.randomNormal([batch, dimension], generator: random) }
    }

    public func crossover(latentCount: Int) -> Int { random.crossover(latentCount: latentCount) }

    public func noise() -> NoiseMode { .shardedRandom(random, shard) }

    public func pathLengthProbe(like images: Tensor) -> Tensor {
        shard.randomNormal(images.shape, generator: random) * (1 / Float(images.shape[2] * images.shape[3]).squareRoot())
    }
}
