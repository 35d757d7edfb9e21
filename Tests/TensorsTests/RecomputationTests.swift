import Tensors
import Testing

@Suite struct RecomputationTests {
    /// A recomputed block gives the same values and the same gradients — to its inputs and to
    /// leaves it uses inside — as the block recorded normally, and keeps nothing from forward.
    @Test func recomputedBlockHasTheSameGradients() {
        let rng = RandomGenerator(seed: 3)
        let x = Tensor.randomNormal([2, 5], generator: rng), w = Tensor.randomNormal([5, 4], generator: rng)
        let v = Tensor.randomNormal([2, 4], generator: rng)
        func block(_ inputs: [Tensor]) -> Tensor { (Tensor.matmul(inputs[0], w) * inputs[1]).tanh() }
        func gradientsOf(recompute: Bool) -> (value: [Float], x: [Float], v: [Float], w: [Float]) {
            let xl = x.detached(), vl = v.detached(), wl = w
            xl.requiresGrad = true; vl.requiresGrad = true; wl.requiresGrad = true; wl.grad = nil
            let y = recompute ? Tensor.recomputed([xl, vl], block) : block([xl, vl])
            (y * y).sum().backward()
            return (y.scalars, xl.grad!.scalars, vl.grad!.scalars, wl.grad!.scalars)
        }
        let plain = gradientsOf(recompute: false), again = gradientsOf(recompute: true)
        #expect(plain.value == again.value)
        #expect(plain.x == again.x && plain.v == again.v && plain.w == again.w)
    }

    /// Without gradients, or when no input needs one, the block just runs.
    @Test func noGraphNoRecomputation() {
        let x = Tensor.randomNormal([3], generator: RandomGenerator(seed: 1))
        let y = Tensor.recomputed([x]) { $0[0] * 2 }
        #expect(!y.needsGradient && y.scalars == x.scalars.map { $0 * 2 })
    }
}
