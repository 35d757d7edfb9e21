import StyleGAN
import Tensors

/// A tiny StyleGAN2 for training tests (16 px, 16-dim styles).
enum StyleGANTiny {
    static let configuration = GeneratorConfiguration(size: 16, styleDimension: 16, mappingLayers: 2,
                                                      channels: [4: 16, 8: 16, 16: 8])
    static func generator(seed: UInt64 = 11) -> Generator { Generator(configuration, generator: RandomGenerator(seed: seed)) }
}
