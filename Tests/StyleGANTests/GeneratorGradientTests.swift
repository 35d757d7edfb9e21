import Foundation
import StyleGAN
import Tensors
import Testing
import TestSupport

/// Gradients of `(image · gout).sum()` against PyTorch, w.r.t. W+, z and weights.
@Suite struct GeneratorGradientTests {
    let fx = StyleGANFixtures.grads

    private func parameter(_ g: Generator, _ key: String) throws -> Tensor {
        try #require(g.namedParameters().first { $0.key == key }?.tensor, "no parameter \(key)")
    }

    private func expectGradient(_ actual: Tensor?, _ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try fx.tensor(key)
        let actual = try #require(actual, "\(key): no gradient", sourceLocation: sourceLocation)
        let error = relativeError(actual, expected)
        print("parity \(key): relative L2 \(error)")
        // Gradients run through every layer twice; PyTorch's own float32 gap here is ≤ 7.6e-7.
        #expect(error < StyleGANFixtures.bound, "\(key): relative L2 \(error)", sourceLocation: sourceLocation)
    }

    @Test func gradientsFromWPlus() throws {
        let g = try GeneratorCheckpoint.load(contentsOf: StyleGANFixtures.folder.appendingPathComponent("g64.pt")).generator
        let wplus = try fx.tensor("wplus")
        wplus.requiresGrad = true
        let loss = (g.synthesize(wplus) * (try fx.tensor("gout"))).sum()
        #expect(abs(Double(loss.item()) - Double(try fx.tensor("from_wplus.loss").item())) < 1e-5 * max(1, abs(Double(loss.item()))))
        loss.backward()
        try expectGradient(wplus.grad, "from_wplus.grad.wplus")
        for key in ["conv1.conv.weight", "convs.3.conv.modulation.weight", "to_rgbs.1.bias", "convs.2.noise.weight"] {
            try expectGradient(try parameter(g, key).grad, "from_wplus.grad.\(key)")
        }
    }

    @Test func gradientsFromZThroughTheMappingNetwork() throws {
        let g = try GeneratorCheckpoint.load(contentsOf: StyleGANFixtures.folder.appendingPathComponent("g64.pt")).generator
        let z = try fx.tensor("z")
        z.requiresGrad = true
        (g([z]) * (try fx.tensor("gout"))).sum().backward()
        try expectGradient(z.grad, "from_z.grad.z")
        try expectGradient(try parameter(g, "style.2.weight").grad, "from_z.grad.style.2.weight")
    }
}
