import StyleGAN
import Tensors
import Testing

@Suite struct DifferentiableAugmentationTests {
    static func images() -> Tensor {
        Tensor.randomUniform([3, 3, 16, 16], low: -1, high: 1, generator: RandomGenerator(seed: 1))
    }

    /// Gradients reach the input through every policy; cut-out pixels get none.
    @Test func gradientsFlowThroughEveryPolicy() {
        for policy: DifferentiableAugmentation.Policy in [.color, .translation, .cutout, .all] {
            let x = Self.images()
            x.requiresGrad = true
            let y = DifferentiableAugmentation(policy: policy)(x, generator: RandomGenerator(seed: 2))
            #expect(y.shape == x.shape)
            (y * y).sum().backward()
            let g = x.grad!.scalars
            #expect(g.allSatisfy(\.isFinite) && g.contains { $0 != 0 }, "\(policy)")
            if policy == .cutout {
                // 8×8 of 16×16 zeroed (fewer at the border): those pixels have zero gradient
                let zeroed = g.filter { $0 == 0 }.count
                #expect(zeroed >= 3 * 3 * 4 * 4 && zeroed <= 3 * 3 * 64, "\(zeroed)")
            }
        }
    }

    /// The same seed gives the same bits; another seed another augmentation.
    @Test func seededAndDeterministic() {
        let x = Self.images(), augment = DifferentiableAugmentation()
        let a = augment(x, generator: RandomGenerator(seed: 5)).scalars
        let b = augment(x, generator: RandomGenerator(seed: 5)).scalars
        let c = augment(x, generator: RandomGenerator(seed: 6)).scalars
        #expect(a == b)
        #expect(a != c)
    }

    /// Translation moves whole pixels and fills with zeros (the official `rand_translation`).
    @Test func translationShiftsWithZeroFill() {
        let x = Tensor(shape: [1, 1, 4, 4], scalars: (1...16).map(Float.init))
        var augment = DifferentiableAugmentation(policy: .translation)
        augment.translationRatio = 0.25  // shifts in −1...1
        for seed in UInt64(0)..<8 {
            let y = augment(x, generator: RandomGenerator(seed: seed)).scalars
            let kept = y.filter { $0 != 0 }
            // every kept value is an input value, in the same relative order
            #expect(kept == kept.sorted() && Set(kept).isSubset(of: Set(x.scalars)))
            #expect(kept.count == 16 || kept.count == 12 || kept.count == 9)
        }
    }
}
