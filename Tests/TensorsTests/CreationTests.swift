import Foundation
import Tensors
import Testing
import TestSupport

@Suite("Creation and random tensors")
struct CreationTests {
    @Test func constantsAndRanges() {
        #expect(Tensor.zeros([2, 3]).scalars == [Float](repeating: 0, count: 6))
        #expect(Tensor.ones([4]).scalars == [1, 1, 1, 1])
        #expect(Tensor.full([2], value: -3, requiresGrad: true).requiresGrad)
        #expect(Tensor.arange(0, 1, step: 0.25).scalars == [0, 0.25, 0.5, 0.75])
        #expect(Tensor.arange(5, 0, step: -2).scalars == [5, 3, 1])
        #expect(Tensor(3.5).shape == [] && Tensor(3.5).item() == 3.5)
    }

    @Test func seededRandomTensorsAreReproducibleWithTheRightMoments() {
        let a = Tensor.randomNormal([40_000], mean: 1, standardDeviation: 2, generator: RandomGenerator(seed: 7))
        let b = Tensor.randomNormal([40_000], mean: 1, standardDeviation: 2, generator: RandomGenerator(seed: 7))
        #expect(a.scalars == b.scalars)
        let values = a.scalars.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        // Standard errors: 0.01 for the mean, 0.007 for the deviation; bounds are > 4σ.
        #expect(Swift.abs(mean - 1) < 0.05 && Swift.abs(std - 2) < 0.03)

        let u = Tensor.randomUniform([10_000], low: -1, high: 3, generator: RandomGenerator(seed: 8)).scalars
        #expect(u.allSatisfy { $0 >= -1 && $0 < 3 })
        #expect(Swift.abs(u.reduce(0, +) / Float(u.count) - 1) < 0.05)
    }
}
