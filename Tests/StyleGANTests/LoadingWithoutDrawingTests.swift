import Foundation
import NeuralNetwork
import StyleGAN
import Tensors
import Testing

/// Loaders build their modules inside `Initialization.withoutDrawing` (no random draws that the
/// checkpoint would overwrite): the loaded generator is the saved one, bit for bit, and a
/// module built that way holds uninitialised placeholders of the right shapes and leaves its
/// random generator untouched.
@Suite struct LoadingWithoutDrawingTests {
    static let configuration = GeneratorConfiguration(size: 32, styleDimension: 32, mappingLayers: 2,
                                                      channels: [4: 16, 8: 16, 16: 8, 32: 8])

    @Test func placeholdersDrawNothing() {
        let random = RandomGenerator(seed: 5), untouched = RandomGenerator(seed: 5)
        let generator = Initialization.withoutDrawing { Generator(Self.configuration, generator: random) }
        let drawn = Generator(Self.configuration, generator: RandomGenerator(seed: 5))
        #expect(generator.stateDictionary().map(\.tensor.shape) == drawn.stateDictionary().map(\.tensor.shape))
        #expect(generator.parameters().allSatisfy { $0.requiresGrad })
        #expect(random.nextUniform() == untouched.nextUniform())
        #expect(Initialization.drawsWeights, "drawing is back on outside the closure")
    }

    @Test func aLoadedGeneratorIsTheSavedOne() throws {
        let original = Generator(Self.configuration, generator: RandomGenerator(seed: 9))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("undrawn-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try GeneratorCheckpoint.save(original, latentAverage: nil, to: url)
        let loaded = try GeneratorCheckpoint.load(contentsOf: url).generator
        #expect(loaded.stateDictionary().map(\.key) == original.stateDictionary().map(\.key))
        for ((key, a), (_, b)) in zip(loaded.stateDictionary(), original.stateDictionary()) {
            #expect(a.scalars == b.scalars, "\(key)")
        }
        let latents = Tensor.randomNormal([1, Self.configuration.latentCount, 32], generator: RandomGenerator(seed: 1))
        GradientMode.withoutGradients {
            #expect(loaded.synthesize(latents).scalars == original.synthesize(latents).scalars)
        }
    }
}
