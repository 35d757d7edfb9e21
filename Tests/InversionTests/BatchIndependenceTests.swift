import Inversion
import StyleGAN
import Tensors
import Testing
import TestSupport

/// The released encoder tiles latent tokens across the batch so that, for B > 1, windows of one
/// image attend to another image's tokens. Ours must give every image its batch-of-one result.
@Suite struct BatchIndependenceTests {
    static let encoderConfiguration = SwinConfiguration(embedDimension: 24, depths: [2, 2, 2, 2], heads: [2, 2, 4, 4],
                                                        latentTokens: 10, headHiddenDimension: 64, styleDimension: 64)
    static let generatorConfiguration = GeneratorConfiguration(size: 64, styleDimension: 64, mappingLayers: 4,
                                                               channels: [4: 32, 8: 32, 16: 32, 32: 16, 64: 16])

    @Test func aBatchGivesEachImageItsOwnResult() throws {
        let model = StylePrompterModel(encoder: Self.encoderConfiguration, generator: Self.generatorConfiguration, seed: 3)
        model.eval()
        let rng = RandomGenerator(seed: 9)
        let images = (0..<3).map { _ in Tensor.randomNormal([1, 3, 32, 32], generator: rng).resizeBilinear(height: 256, width: 256).tanh() }
        let batch = Tensor.concat(images, axis: 0)
        let (batched, singles) = GradientMode.withoutGradients {
            (model(batch).image, images.map { model($0).image })
        }
        #expect(batched.shape == [3, 3, 64, 64])
        for (i, single) in singles.enumerated() {
            let error = relativeError(batched.narrow(0, start: i, length: 1), single)
            // Only summation order may differ between the batched and single runs.
            #expect(error < 1e-6, "image \(i): relative L2 \(error) between batch and batch-of-one")
        }
    }

    @Test func featureShapesFollowTheConfiguration() {
        let encoder = SwinEncoder(Self.encoderConfiguration, generator: RandomGenerator(seed: 1))
        let output = GradientMode.withoutGradients { encoder(Tensor.zeros([2, 3, 256, 256])) }
        #expect(output.offsets.shape == [2, 10, 64])
        #expect(output.features.map(\.shape) == [[2, 64, 192], [2, 64, 192], [2, 256, 96], [2, 1024, 48]])
        #expect(Self.encoderConfiguration.featureShapes.map(\.side) == [8, 8, 16, 32])
    }

    @Test func localAttentionTableMatchesTheReleasedPattern() {
        let smart = SMARTBlock(featureShapes: [(8, 8), (8, 8), (16, 8), (32, 8)], queryChannels: 8, querySide: 16, feedForwardDimension: 8)
        #expect(smart.keysPerQuery == 7)
        // Query (r, c) = (3, 5): 8×8 maps at (1, 2); 16×16 at (3, 5); 32×32 block at (6..7, 10..11).
        let row = Array(smart.attentionIndex[(3 * 16 + 5) * 7 ..< (3 * 16 + 6) * 7])
        #expect(row == [1 * 8 + 2, 64 + 1 * 8 + 2, 128 + 3 * 16 + 5,
                        384 + 6 * 32 + 10, 384 + 6 * 32 + 11, 384 + 7 * 32 + 10, 384 + 7 * 32 + 11])
    }
}
