import Foundation
import NeuralNetwork
import Tensors

/// StyleGAN2 training as rosinality's `train.py` runs it: alternating D and G steps with the
/// logistic losses, lazy R1 (every `discriminatorRegularizationInterval` steps) and lazy
/// path-length regularisation (every `generatorRegularizationInterval`), Adam with the
/// lazy-regularisation corrections to learning rate and betas, style mixing, and an EMA copy
/// of the generator.
///
/// ```swift
/// let trainer = GANTrainer(generator: g, discriminator: d, ema: gEMA)
/// for images in batches { let losses = trainer.step(realImages: images) }
/// ```
public final class GANTrainer {
    public struct Settings: Sendable {
        public var learningRate: Float = 0.002
        public var r1Gamma: Float = 10
        public var pathRegularization: Float = 2
        public var pathBatchShrink = 2
        public var discriminatorRegularizationInterval = 16
        public var generatorRegularizationInterval = 4
        public var mixingProbability: Float = 0.9
        /// EMA decay per step: rosinality's `0.5 ** (32 / (10 * 1000))`.
        public var emaDecay: Float = Float(Foundation.pow(0.5, 32.0 / 10_000.0))
        /// DiffAugment before every discriminator call (real and generated, R1 included), drawing
        /// from `random`; nil (the default, rosinality's `--augment` off) leaves images as they are.
        public var augmentation: DifferentiableAugmentation?
        public init() {}
    }

    /// What one `step` measured.
    public struct Losses: Sendable {
        public var discriminator: Float
        public var generator: Float
        public var r1: Float?
        public var pathLength: Float?
        public var meanPathLength: Float
        /// `generatorAuxiliaryLoss` on this step's fakes (nil without one, or while G is held).
        public var auxiliary: Float? = nil
    }

    public let generator: Generator
    public let discriminator: Discriminator
    public let ema: Generator?
    public let settings: Settings
    public let generatorOptimizer: Adam
    public let discriminatorOptimizer: Adam
    public private(set) var iteration = 0
    public private(set) var meanPathLength: Float = 0
    /// Every random draw of training (z, mixing, noise, path-length probes) comes from here;
    /// a checkpoint saves its `state256`.
    public let random: RandomGenerator
    /// What `step` draws from: `random` unless replaced (a test replays PyTorch's draws; a
    /// data-parallel process uses `ShardedDraws`).
    public var randomSource: RandomSource
    /// Set in a data-parallel run: gradients (D, R1, G, path length), the path-length mean and
    /// the reported losses are averaged over the replicas, so every replica takes the same step.
    public var synchronizer: (any GradientSynchronizer)?
    /// An extra generator objective on the generated images of each G step (before
    /// augmentation), added to the non-saturating loss — e.g. the attribute-statistics term.
    public var generatorAuxiliaryLoss: ((Tensor) -> Tensor)?
    /// Iterations (counted from 0) during which only D trains: a generator started from trained
    /// weights against a fresh discriminator must not take its first steps from a D that still
    /// knows nothing.
    public var generatorHeldUntilIteration = 0

    public init(generator: Generator, discriminator: Discriminator, ema: Generator? = nil,
                settings: Settings = Settings(), seed: UInt64 = 0) {
        self.generator = generator
        self.discriminator = discriminator
        self.ema = ema
        self.settings = settings
        random = RandomGenerator(seed: seed)
        randomSource = random
        let gRatio = Float(settings.generatorRegularizationInterval) / Float(settings.generatorRegularizationInterval + 1)
        let dRatio = Float(settings.discriminatorRegularizationInterval) / Float(settings.discriminatorRegularizationInterval + 1)
        generatorOptimizer = Adam(parameters: generator.parameters(), learningRate: settings.learningRate * gRatio,
                                  betas: (0, Float(Foundation.pow(0.99, Double(gRatio)))))
        discriminatorOptimizer = Adam(parameters: discriminator.parameters(), learningRate: settings.learningRate * dRatio,
                                      betas: (0, Float(Foundation.pow(0.99, Double(dRatio)))))
        if let ema { Self.accumulate(ema, from: generator, decay: 0) }
    }

    /// Puts the counters back as a checkpoint saved them (weights, optimiser state and
    /// `random.state256` are restored by the caller).
    public func restore(iteration: Int, meanPathLength: Float) {
        self.iteration = iteration
        self.meanPathLength = meanPathLength
    }

    /// One iteration on a batch of real images [B, 3, size, size] in [−1, 1].
    @discardableResult
    public func step(realImages: Tensor) -> Losses {
        let draws = randomSource
        let (dLoss, r1) = discriminatorIteration(realImages: realImages, draws: draws)
        // Generator (held while a fresh D catches up with a trained G).
        let g = iteration >= generatorHeldUntilIteration ? generatorIteration(batch: realImages.shape[0], draws: draws) : nil
        if let ema { Self.accumulate(ema, from: generator, decay: settings.emaDecay) }
        iteration += 1
        let losses = Losses(discriminator: dLoss, generator: g?.loss ?? 0, r1: r1, pathLength: g?.pathLength,
                            meanPathLength: meanPathLength, auxiliary: g?.auxiliary)
        return averagedOverReplicas(losses)
    }

    /// D's logistic step on real and fresh fake images, and on regularisation iterations its lazy
    /// R1 step: D's loss and, when computed, the R1 penalty.
    private func discriminatorIteration(realImages: Tensor, draws: RandomSource) -> (loss: Float, r1: Float?) {
        let batch = realImages.shape[0]
        generator.setRequiresGradient(false)
        discriminator.setRequiresGradient(true)
        let fakeStyles = draws.latents(batch: batch, dimension: styleDimension, mixingProbability: settings.mixingProbability)
        let fakeCrossover = draws.crossover(latentCount: latentCount)
        let fake = GradientMode.withoutGradients { generator(fakeStyles, crossover: fakeCrossover, noise: draws.noise()) }
        let realAugmented = augmented(realImages)
        let dLoss = GANLosses.discriminatorLogistic(realPrediction: discriminator(realAugmented), fakePrediction: discriminator(augmented(fake)))
        discriminatorOptimizer.zeroGradients()
        dLoss.backward()
        synchronizer?.averageGradients(of: discriminatorOptimizer.parameters)
        discriminatorOptimizer.step()

        var r1: Float?
        if iteration % settings.discriminatorRegularizationInterval == 0 {
            let real = realImages.detached()
            real.requiresGrad = true
            let prediction = discriminator(augmented(real))
            let penalty = GANLosses.r1Penalty(realPrediction: prediction, realImages: real)
            discriminatorOptimizer.zeroGradients()
            // rosinality adds `0 · real_pred[0]`: every D parameter then has a (zero) gradient —
            // the last bias too, which R1 does not reach — so Adam counts this step for all of them.
            let weighted = penalty * (settings.r1Gamma / 2 * Float(settings.discriminatorRegularizationInterval))
                + prediction.slice(0, start: 0, end: 1).sum() * 0
            weighted.backward()
            synchronizer?.averageGradients(of: discriminatorOptimizer.parameters)
            discriminatorOptimizer.step()
            r1 = penalty.item()
        }
        return (dLoss.item(), r1)
    }

    /// G's non-saturating step (with the auxiliary objective, when set) and on regularisation
    /// iterations its lazy path-length step.
    private func generatorIteration(batch: Int, draws: RandomSource) -> (loss: Float, auxiliary: Float?, pathLength: Float?) {
        generator.setRequiresGradient(true)
        discriminator.setRequiresGradient(false)
        defer { discriminator.setRequiresGradient(true) }
        let styles = draws.latents(batch: batch, dimension: styleDimension, mixingProbability: settings.mixingProbability)
        let crossover = draws.crossover(latentCount: latentCount)
        let generated = generator(styles, crossover: crossover, noise: draws.noise())
        let gLoss = GANLosses.generatorNonSaturating(fakePrediction: discriminator(augmented(generated)))
        let auxiliary = generatorAuxiliaryLoss.map { $0(generated) }
        generatorOptimizer.zeroGradients()
        if let auxiliary { (gLoss + auxiliary).backward() } else { gLoss.backward() }
        synchronizer?.averageGradients(of: generatorOptimizer.parameters)
        generatorOptimizer.step()

        var path: Float?
        if iteration % settings.generatorRegularizationInterval == 0 {
            let pathBatch = max(1, batch / settings.pathBatchShrink)
            let styles = draws.latents(batch: pathBatch, dimension: styleDimension, mixingProbability: settings.mixingProbability)
                .map(generator.mapping)
            let latents = styles.count == 2
                ? generator.mixLatents(styles[0], styles[1], crossover: draws.crossover(latentCount: latentCount))
                : generator.broadcastLatent(styles[0])
            let images = generator.synthesize(latents, noise: draws.noise())
            let result = GANLosses.pathLength(fakeImages: images, latents: latents,
                                              probe: draws.pathLengthProbe(like: images),
                                              meanPathLength: meanPathLength, synchronizer: synchronizer)
            generatorOptimizer.zeroGradients()
            // rosinality's `0 · fake_img[0, 0, 0, 0]`: the ToRGB biases, which the path length
            // does not depend on, get a zero gradient and Adam counts the step for them too.
            let pathWeight: Float = settings.pathRegularization * Float(settings.generatorRegularizationInterval)
            let corner: Tensor = images.slice(0, start: 0, end: 1).slice(1, start: 0, end: 1)
                .slice(2, start: 0, end: 1).slice(3, start: 0, end: 1).sum()
            let weighted: Tensor = result.penalty * pathWeight + corner * Float(0)
            weighted.backward()
            synchronizer?.averageGradients(of: generatorOptimizer.parameters)
            generatorOptimizer.step()
            meanPathLength = result.mean
            path = result.penalty.item()
        }
        return (gLoss.item(), auxiliary?.item(), path)
    }

    /// The losses of the whole batch, as one process would report them (r1 and path are computed
    /// on the same iterations everywhere). The path penalty is the whole batch's on every replica
    /// up to rounding: averaged too, it is the same float everywhere (it is saved with the run).
    private func averagedOverReplicas(_ losses: Losses) -> Losses {
        guard let synchronizer, synchronizer.replicas > 1 else { return losses }
        var averaged = losses
        let mean = synchronizer.average([losses.discriminator, losses.generator, losses.r1 ?? 0, losses.pathLength ?? 0])
        averaged.discriminator = mean[0]
        averaged.generator = mean[1]
        if losses.r1 != nil { averaged.r1 = mean[2] }
        if losses.pathLength != nil { averaged.pathLength = mean[3] }
        if let value = losses.auxiliary { averaged.auxiliary = synchronizer.average([value])[0] }
        return averaged
    }

    /// `ema = decay·ema + (1 − decay)·model`, parameter by parameter (rosinality's `accumulate`).
    public static func accumulate(_ ema: Generator, from model: Generator, decay: Float) {
        for ((_, target), (_, source)) in zip(ema.namedParameters(), model.namedParameters()) {
            let t = target.data, s = source.readData
            for i in 0..<target.count { t[i] = t[i] * decay + s[i] * (1 - decay) }
        }
    }

    private func augmented(_ images: Tensor) -> Tensor {
        settings.augmentation.map { $0(images, generator: random) } ?? images
    }

    private var styleDimension: Int { generator.configuration.styleDimension }
    private var latentCount: Int { generator.configuration.latentCount }
}
