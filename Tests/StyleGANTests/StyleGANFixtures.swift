import Foundation
import StyleGAN
import Tensors
import TestSupport

/// The fixtures `Scripts/make_stylegan_fixtures.py` writes (see its header): a 64-px rosinality
/// generator with every parameter perturbed, its outputs, gradients and one GAN training step,
/// all computed by PyTorch in float32.
enum StyleGANFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let outputs = load("g64_outputs.safetensors")
    static let grads = load("g64_grads.safetensors")
    static let trainingStep = load("train64_step.safetensors")

    static func load(_ name: String) -> FixtureFile {
        do { return try FixtureFile(contentsOf: folder.appendingPathComponent(name)) } catch { fatalError("\(error)") }
    }

    /// The fixture generator's shape, as the script's metadata states it.
    static let configuration = GeneratorConfiguration(size: 64, styleDimension: 64, mappingLayers: 4,
                                                      channels: [4: 32, 8: 32, 16: 32, 32: 16, 64: 16])

    /// PyTorch's own float32-vs-float64 gap for `key`, from the fixture metadata.
    static func gap(_ file: FixtureFile, _ key: String) -> Double {
        guard let json = file.metadata["gap"], let gaps = try? JSONDecoder().decode([String: Double].self, from: Data(json.utf8)) else { return 0 }
        return gaps[key] ?? 0
    }

    /// The bound a result must meet: `ParityTolerance` on the largest float32-vs-float64 gap
    /// PyTorch showed on these outputs (2.5e-7…7.6e-7; the generator script measured it per
    /// kind); a real slip (a ToRGB scale off by 1e-4) shows as ~1e-4.
    static let bound = ParityTolerance.bound(gap: 7.6e-7)
}
