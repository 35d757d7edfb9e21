import Foundation
import StyleGAN
import Tensors
import Testing
import TestSupport

/// The real FFHQ config-f shape (1024 px, 18 latents, 512-d styles, channel multiplier 2) on
/// seeded perturbed weights — 133 MB, too large to commit. Opt in with
/// `STYLEPROMPTER_LARGE_FIXTURES=1` after `.venv/bin/python Scripts/make_stylegan_fixtures.py --full`
/// has written `.fixtures-large/`.
@Suite(.enabled(if: FullSizeFixtures.available, "set STYLEPROMPTER_LARGE_FIXTURES=1 and run Scripts/make_stylegan_fixtures.py --full"))
struct FullSizeGeneratorTests {
    @Test func generator1024MatchesPyTorch() throws {
        let loaded = try GeneratorCheckpoint.load(contentsOf: FullSizeFixtures.folder.appendingPathComponent("g1024.pt"))
        #expect(loaded.generator.configuration == GeneratorConfiguration(size: 1024))
        let outputs = try FixtureFile(contentsOf: FullSizeFixtures.folder.appendingPathComponent("g1024_outputs.safetensors"))
        let image = GradientMode.withoutGradients { loaded.generator.synthesize(try! outputs.tensor("wplus")) }
        let expected = try outputs.tensor("image")
        let relative = relativeError(image, expected)
        print("parity g1024 image: relative L2 \(relative), max abs \(maxAbsError(image, expected))")
        // PyTorch's own float32 gap on this image is 8.4e-7; see StyleGANFixtures.bound.
        #expect(relative < StyleGANFixtures.bound)
        #expect(maxAbsError(image, expected) <= 1e-4 * Double(expected.scalars.map { abs($0) }.max()!))
    }
}

enum FullSizeFixtures {
    static let folder = LargeFixtures.folder
    static var available: Bool { LargeFixtures.available("g1024.pt") }
}
