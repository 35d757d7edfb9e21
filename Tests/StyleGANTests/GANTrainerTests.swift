import Foundation
import NeuralNetwork
import StyleGAN
import Tensors
import Testing
import TestSupport

/// The training loop itself: lazy regularisation fires on schedule, both networks and the EMA
/// move, and a discriminator learns to tell a fixed set of real images from samples.
@Suite struct GANTrainerTests {
    static let configuration = GeneratorConfiguration(size: 32, styleDimension: 32, mappingLayers: 2,
                                                      channels: [4: 16, 8: 16, 16: 8, 32: 8])

    @Test func stepsRunTheRosinalityScheduleAndUpdateEverything() throws {
        let rng = RandomGenerator(seed: 5)
        let g = Generator(Self.configuration, generator: rng)
        let ema = Generator(Self.configuration, generator: rng)
        let d = Discriminator(size: 32, channels: Self.configuration.channels, generator: rng)
        var settings = GANTrainer.Settings()
        settings.discriminatorRegularizationInterval = 2
        settings.generatorRegularizationInterval = 2
        let trainer = GANTrainer(generator: g, discriminator: d, ema: ema, settings: settings, seed: 1)
        // EMA starts as a copy of the generator.
        #expect(zip(ema.parameters(), g.parameters()).allSatisfy { $0.scalars == $1.scalars })

        let real = Tensor.randomNormal([4, 3, 32, 32], generator: rng).tanh()
        let before = (g.parameters().map(\.scalars), d.parameters().map(\.scalars))
        let first = trainer.step(realImages: real)
        let second = trainer.step(realImages: real)
        #expect(first.r1 != nil && first.pathLength != nil, "regularisation runs on iteration 0")
        #expect(second.r1 == nil && second.pathLength == nil, "and not on iteration 1 with interval 2")
        for value in [first.discriminator, first.generator, first.r1!, first.pathLength!, second.discriminator] {
            #expect(value.isFinite)
        }
        #expect(first.meanPathLength > 0)
        #expect(zip(g.parameters().map(\.scalars), before.0).contains { $0 != $1 }, "generator updated")
        #expect(zip(d.parameters().map(\.scalars), before.1).contains { $0 != $1 }, "discriminator updated")
        // EMA moved towards the generator but is not equal to it.
        #expect(zip(ema.parameters(), g.parameters()).contains { $0.scalars != $1.scalars })
        // No parameter is left frozen after a step.
        #expect(g.parameters().allSatisfy(\.requiresGrad) && d.parameters().allSatisfy(\.requiresGrad))
    }

    @Test func discriminatorLearnsToSeparateRealFromGenerated() throws {
        let rng = RandomGenerator(seed: 8)
        let g = Generator(Self.configuration, generator: rng)
        let d = Discriminator(size: 32, channels: Self.configuration.channels, generator: rng)
        var settings = GANTrainer.Settings()
        settings.learningRate = 0.002
        let trainer = GANTrainer(generator: g, discriminator: d, settings: settings, seed: 2)
        let real = Tensor.full([4, 3, 32, 32], value: 0.8)
        var losses: [Float] = []
        for _ in 0..<6 { losses.append(trainer.step(realImages: real).discriminator) }
        // log(4) ≈ 1.386 is chance level for the two logistic terms.
        #expect(losses.last! < losses.first!, "discriminator loss \(losses)")
    }
}

extension GANTrainerTests {
    /// With DiffAugment on, a step still runs every part (R1 through the augmentation included).
    @Test func stepsWithDifferentiableAugmentation() throws {
        let rng = RandomGenerator(seed: 3)
        let g = Generator(Self.configuration, generator: rng)
        let d = Discriminator(size: 32, channels: Self.configuration.channels, generator: rng)
        var settings = GANTrainer.Settings()
        settings.augmentation = DifferentiableAugmentation()
        let trainer = GANTrainer(generator: g, discriminator: d, settings: settings, seed: 4)
        let real = Tensor.randomUniform([4, 3, 32, 32], low: -1, high: 1, generator: rng)
        let losses = trainer.step(realImages: real)
        #expect(losses.r1 != nil && losses.pathLength != nil)
        for value in [losses.discriminator, losses.generator, losses.r1!, losses.pathLength!] { #expect(value.isFinite) }
    }
}

extension GANTrainerTests {
    /// A held generator does not move while D trains; once released it takes the auxiliary
    /// objective with its adversarial loss: on the same draws, an auxiliary term changes G's step,
    /// it sees the generated images of the step, and it is reported.
    @Test func heldGeneratorAndAuxiliaryObjective() throws {
        func make(auxiliary: ((Tensor) -> Tensor)?) -> (GANTrainer, Generator, Discriminator) {
            let rng = RandomGenerator(seed: 9)
            let g = Generator(Self.configuration, generator: rng)
            let d = Discriminator(size: 32, channels: Self.configuration.channels, generator: rng)
            let trainer = GANTrainer(generator: g, discriminator: d, ema: Generator(Self.configuration, generator: rng), seed: 3)
            trainer.generatorHeldUntilIteration = 2
            trainer.generatorAuxiliaryLoss = auxiliary
            return (trainer, g, d)
        }
        let real = Tensor.randomNormal([4, 3, 32, 32], generator: RandomGenerator(seed: 10)).tanh()
        var seenShapes: [[Int]] = []
        let (trainer, g, d) = make { images in seenShapes.append(images.shape); return images.mean() * 50 }
        let start = (g.parameters().map(\.scalars), d.parameters().map(\.scalars))
        for _ in 0..<2 {
            let held = trainer.step(realImages: real)
            #expect(held.auxiliary == nil && held.pathLength == nil && held.generator == 0)
        }
        #expect(zip(g.parameters().map(\.scalars), start.0).allSatisfy { $0 == $1 }, "G held")
        #expect(zip(d.parameters().map(\.scalars), start.1).contains { $0 != $1 }, "D trained")
        #expect(seenShapes.isEmpty)
        let released = trainer.step(realImages: real)
        #expect(seenShapes == [[4, 3, 32, 32]])
        #expect(released.auxiliary.map { $0.isFinite && $0 != 0 } == true)
        #expect(zip(g.parameters().map(\.scalars), start.0).contains { $0 != $1 }, "G released")

        let (plain, plainG, _) = make(auxiliary: nil)
        for _ in 0..<3 { plain.step(realImages: real) }
        #expect(zip(g.parameters().map(\.scalars), plainG.parameters().map(\.scalars)).contains { $0 != $1 },
                "the auxiliary term changed G's step")
    }
}
