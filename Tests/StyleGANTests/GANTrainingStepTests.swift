import Foundation
import NeuralNetwork
import StyleGAN
import Tensors
import Testing
import TestSupport

/// One StyleGAN2 training step — D loss, R1 (double backward), G loss, path length — against
/// rosinality's `train.py` on the same weights and batch (`train64.pt`, stored noise).
@Suite struct GANTrainingStepTests {
    let fx = StyleGANFixtures.trainingStep
    let generator: Generator
    let discriminator: Discriminator

    init() throws {
        let url = StyleGANFixtures.folder.appendingPathComponent("train64.pt")
        generator = Generator(StyleGANFixtures.configuration)
        try generator.load(contentsOf: url, prefix: "g.")
        discriminator = Discriminator(size: 64, channels: StyleGANFixtures.configuration.channels)
        try discriminator.load(contentsOf: url, prefix: "d.")
    }

    private func expectClose(_ actual: Tensor?, _ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let actual = try #require(actual, "\(key): missing", sourceLocation: sourceLocation)
        let expected = try fx.tensor(key)
        let bound = ParityTolerance.bound(gap: StyleGANFixtures.gap(fx, key))
        let error = relativeError(actual.reshape(expected.shape), expected)
        print("parity \(key): relative L2 \(error)")
        #expect(error < bound, "\(key): relative L2 \(error) (bound \(bound))", sourceLocation: sourceLocation)
    }

    private func parameter(_ module: Module, _ key: String) throws -> Tensor {
        try #require(module.namedParameters().first { $0.key == key }?.tensor, "no parameter \(key)")
    }

    let discriminatorKeys = ["convs.0.0.weight", "convs.1.conv1.1.bias", "convs.3.skip.1.weight", "final_linear.1.weight"]
    let generatorKeys = ["style.2.weight", "convs.2.conv.weight", "to_rgbs.1.conv.modulation.weight"]

    @Test func discriminatorLossAndGradients() throws {
        generator.setRequiresGradient(false)
        let fake = generator([try fx.tensor("z")])
        let real = try fx.tensor("real_img")
        let fakePrediction = discriminator(fake), realPrediction = discriminator(real)
        try expectClose(fakePrediction, "d.fake_pred")
        try expectClose(realPrediction, "d.real_pred")
        let loss = GANLosses.discriminatorLogistic(realPrediction: realPrediction, fakePrediction: fakePrediction)
        try expectClose(loss, "d_loss")
        loss.backward()
        for key in discriminatorKeys { try expectClose(try parameter(discriminator, key).grad, "d_loss.grad.\(key)") }
    }

    @Test func r1PenaltyGradientsNeedDoubleBackward() throws {
        let real = try fx.tensor("real_img")
        real.requiresGrad = true
        let prediction = discriminator(real)
        try expectClose(prediction, "r1.real_pred")
        let penalty = GANLosses.r1Penalty(realPrediction: prediction, realImages: real)
        try expectClose(penalty, "r1_loss")
        (penalty * (10 / 2 * 16)).backward()
        for key in discriminatorKeys { try expectClose(try parameter(discriminator, key).grad, "r1.grad.\(key)") }
    }

    @Test func generatorLossAndGradients() throws {
        discriminator.setRequiresGradient(false)
        let prediction = discriminator(generator([try fx.tensor("z")]))
        try expectClose(prediction, "g.fake_pred")
        let loss = GANLosses.generatorNonSaturating(fakePrediction: prediction)
        try expectClose(loss, "g_loss")
        loss.backward()
        for key in generatorKeys { try expectClose(try parameter(generator, key).grad, "g_loss.grad.\(key)") }
    }

    @Test func pathLengthRegularisation() throws {
        let latents = generator.broadcastLatent(generator.mapping(try fx.tensor("z")))
        let images = generator.synthesize(latents)
        let probe = try fx.tensor("path_noise") * (1 / 64)
        let result = GANLosses.pathLength(fakeImages: images, latents: latents, probe: probe, meanPathLength: 0)
        try expectClose(result.penalty, "path_loss")
        try expectClose(result.lengths, "path_lengths")
        try expectClose(Tensor(result.mean), "path_mean")
        (result.penalty * (2 * 4)).backward()
        for key in generatorKeys { try expectClose(try parameter(generator, key).grad, "path.grad.\(key)") }
    }
}
