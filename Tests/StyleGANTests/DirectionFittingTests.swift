import StyleGAN
import Tensors
import Testing

@Suite struct DirectionFittingTests {
    /// Latents with a planted linear attribute (continuous) and a planted boundary (binary): the
    /// fitted directions recover them, and a conditional direction is orthogonal to the other.
    @Test func recoversPlantedDirections() throws {
        let rng = RandomGenerator(seed: 4)
        let d = 24, n = 400
        let latents = (0..<n).map { _ in (0..<d).map { _ in rng.nextNormal() } }
        let u = (0..<d).map { _ in rng.nextNormal() }, v = (0..<d).map { _ in rng.nextNormal() }
        let dot = { (a: [Float], b: [Float]) in zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
        let continuous = latents.map { 0.5 * dot($0, u) + 0.05 * Double(rng.nextNormal()) }
        let binary = latents.map { dot($0, v) + 0.3 * dot($0, u) > 0 ? 1.0 : -1.0 }
        let a = try DirectionFitting.fit(latents: latents, targets: continuous, method: .normal)
        let b = try DirectionFitting.fit(latents: latents, targets: binary, method: .normal)
        #expect(DirectionFitting.cosine(a.direction, u) > 0.995)
        #expect(a.heldOutCorrelation > 0.99 && a.heldOutAccuracy == nil)
        #expect(b.heldOutAccuracy! > 0.9)
        let conditional = DirectionFitting.conditioned(b.direction, on: [a.direction])
        #expect(abs(DirectionFitting.cosine(conditional, a.direction)) < 1e-6)
        #expect(abs(DirectionFitting.cosine(conditional, conditional) - 1) < 1e-6)
    }

    @Test func refusesWhatCannotBeFitted() {
        let latents = (0..<20).map { i in [Float(i), 1] }
        #expect(throws: EditError.self) { try DirectionFitting.fit(latents: latents, targets: Array(repeating: 1, count: 20)) }
        #expect(throws: EditError.self) { try DirectionFitting.fit(latents: latents, targets: [Double](repeating: .nan, count: 20)) }
        #expect(throws: EditError.self) { try DirectionFitting.fit(latents: Array(latents.prefix(5)), targets: [1, 2, 3, 4, 5]) }
    }

    /// On anisotropic latents (an encoder's W) the covariance direction follows how the labelled
    /// latents actually differ: along a high-variance axis, with the spread and slope to match,
    /// where the normal is pulled towards a low-variance axis that also predicts the label.
    @Test func covarianceDirectionOnAnisotropicLatents() throws {
        let rng = RandomGenerator(seed: 5)
        let d = 16, n = 2000
        let scales: [Float] = [3] + [Float](repeating: 0.02, count: d - 1)
        let latents = (0..<n).map { _ in (0..<d).map { scales[$0] * rng.nextNormal() } }
        // The label follows axis 0 (high variance) and, as strongly per σ, axis 1 (tiny variance).
        let labels = latents.map { Double($0[0]) / 3 + Double($0[1]) / 0.02 }
        let fit = try DirectionFitting.fit(latents: latents, targets: labels)
        let e0 = [Float(1)] + [Float](repeating: 0, count: d - 1)
        #expect(DirectionFitting.cosine(fit.direction, e0) > 0.99)
        #expect(abs(fit.spread - 3) < 0.3, "spread \(fit.spread)")
        #expect(abs(fit.slope - 1.0 / 3) < 0.05, "slope \(fit.slope)")
        let normal = try DirectionFitting.fit(latents: latents, targets: labels, method: .normal)
        #expect(abs(normal.direction[1]) > 0.99, "the normal leans into the low-variance axis: \(normal.direction.prefix(3))")
    }
}
