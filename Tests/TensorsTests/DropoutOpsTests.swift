import Tensors
import Testing
import TestSupport

@Suite("Dropout and stochastic depth")
struct DropoutOpsTests {
    @Test func dropoutKeepsAboutOneMinusPScaledAndRoutesGradientsThroughTheMask() {
        let x = Tensor.full([20_000], value: 2, requiresGrad: true)
        let y = x.dropout(probability: 0.25, generator: RandomGenerator(seed: 1))
        let kept = y.scalars.filter { $0 != 0 }
        #expect(kept.allSatisfy { $0 == 2 / 0.75 })
        // Binomial(20 000, 0.75): standard deviation ≈ 61 elements, so ±400 is > 6σ.
        #expect(Swift.abs(kept.count - 15_000) < 400)
        y.sum().backward()
        #expect(x.grad!.scalars == y.scalars.map { $0 / 2 })
        let again = x.detached().dropout(probability: 0.25, generator: RandomGenerator(seed: 1))
        #expect(again.scalars == y.scalars)   // same seed, same mask
        #expect(x.dropout(probability: 0, generator: RandomGenerator(seed: 1)) === x)
    }

    @Test func dropPathZeroesOrScalesWholeSamples() {
        let x = Tensor.ones([64, 3, 4])
        let y = x.dropPath(probability: 0.5, generator: RandomGenerator(seed: 2))
        var keptSamples = 0
        for sample in 0..<64 {
            let values = Set(y.narrow(0, start: sample, length: 1).scalars)
            #expect(values == [0] || values == [2])
            if values == [2] { keptSamples += 1 }
        }
        #expect(keptSamples > 10 && keptSamples < 54)
    }
}
