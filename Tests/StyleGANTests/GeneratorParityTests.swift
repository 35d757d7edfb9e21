import Foundation
import StyleGAN
import Tensors
import Testing
import TestSupport

@Suite struct GeneratorParityTests {
    let loaded: GeneratorCheckpoint.Loaded
    let fx = StyleGANFixtures.outputs

    init() throws {
        loaded = try GeneratorCheckpoint.load(contentsOf: StyleGANFixtures.folder.appendingPathComponent("g64.pt"))
        loaded.generator.eval()
    }

    private func expectClose(_ actual: Tensor, _ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try fx.tensor(key)
        #expect(actual.shape == expected.shape, sourceLocation: sourceLocation)
        let relative = relativeError(actual, expected)
        let largest = Double(expected.scalars.map { abs($0) }.max() ?? 0)
        print("parity \(key): relative L2 \(relative), max abs \(maxAbsError(actual, expected))")
        #expect(relative < StyleGANFixtures.bound, "\(key): relative L2 \(relative)", sourceLocation: sourceLocation)
        #expect(maxAbsError(actual, expected) <= 1e-4 * largest, "\(key): max abs \(maxAbsError(actual, expected))", sourceLocation: sourceLocation)
    }

    @Test func configurationIsInferredFromTheWeights() {
        #expect(loaded.generator.configuration == StyleGANFixtures.configuration)
        #expect(loaded.prefix == "g_ema.")
        #expect(loaded.latentAverage?.shape == [64])
    }

    @Test func mappingAndImageFromZ() throws {
        let g = loaded.generator
        let z = try fx.tensor("z")
        try GradientMode.withoutGradients {
            try expectClose(g.mapping(z), "w")
            try expectClose(g([z]), "image_from_z")
        }
    }

    @Test func imageFromWPlusWithStoredAndZeroNoise() throws {
        let g = loaded.generator
        let wplus = try fx.tensor("wplus")
        try GradientMode.withoutGradients {
            try expectClose(g.synthesize(wplus, noise: .stored), "image_from_wplus")
            try expectClose(g.synthesize(wplus, noise: .zero), "image_zero_noise")
        }
    }

    @Test func truncationTowardLatentAverageAndAGivenMean() throws {
        let g = loaded.generator
        let z = try fx.tensor("z")
        try GradientMode.withoutGradients {
            try expectClose(g([z], truncation: 0.7, truncationLatent: loaded.latentAverage!), "image_truncated")
            try expectClose(g([z], truncation: 0.7, truncationLatent: try fx.tensor("truncation_latent")), "image_truncated_mean")
        }
    }

    @Test func styleMixing() throws {
        let g = loaded.generator
        try GradientMode.withoutGradients {
            try expectClose(g([try fx.tensor("z"), try fx.tensor("z2")], crossover: 5), "image_mixed")
        }
    }

    @Test func featureAfterConvs3CanBeReadAndReplaced() throws {
        let g = loaded.generator
        let wplus = try fx.tensor("wplus")
        try GradientMode.withoutGradients {
            var captured: Tensor?
            _ = g.synthesize(wplus) { index, feature in
                if index == 3 { captured = feature }
                return feature
            }
            try expectClose(try #require(captured), "feature16")
            let replaced = g.synthesize(wplus) { index, feature in index == 3 ? feature * 0.5 + 0.1 : feature }
            try expectClose(replaced, "image_feature_replaced")
        }
    }

    @Test func savedSafetensorsRoundTripsWithItsConfiguration() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("g64-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try GeneratorCheckpoint.save(loaded.generator, latentAverage: loaded.latentAverage, to: url)
        let again = try GeneratorCheckpoint.load(contentsOf: url)
        #expect(again.generator.configuration == loaded.generator.configuration)
        #expect(again.latentAverage?.scalars == loaded.latentAverage?.scalars)
        let wplus = try fx.tensor("wplus")
        let (a, b) = GradientMode.withoutGradients { (loaded.generator.synthesize(wplus), again.generator.synthesize(wplus)) }
        #expect(a.scalars == b.scalars)
    }
}
