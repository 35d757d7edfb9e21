import Tensors
import Testing

/// `convTranspose2dBlurred` — StyleGAN2's up-convolution and its blur as one pass at inference —
/// against the two ops it stands for. Without gradients it is the fused kernel and must give the
/// same bits; with gradients to record it is the two ops, so backward (checked against PyTorch
/// op by op elsewhere) is theirs.
@Suite struct BlurredTransposedConvolutionTests {
    static var kernel: Tensor {
        let t: [Float] = [1, 3, 3, 1]
        return Tensor(shape: [4, 4], scalars: t.flatMap { a in t.map { a * $0 / 16 } })
    }

    static func twoSteps(_ x: Tensor, _ w: Tensor, groups: Int) -> Tensor {
        Tensor.upfirdn2d(Tensor.convTranspose2d(x, weight: w, options: .init(stride: 2, groups: groups)),
                         kernel: kernel, padding: (1, 1, 1, 1))
    }

    static func fused(_ x: Tensor, _ w: Tensor, groups: Int) -> Tensor {
        Tensor.convTranspose2dBlurred(x, weight: w, options: .init(stride: 2, groups: groups), blurKernel: kernel,
                                      padding: (1, 1, 1, 1))
    }

    @Test(arguments: [(1, 1), (2, 2), (3, 1)])
    func inferenceIsTheTwoOpsBitForBit(batch: Int, groups: Int) {
        let rng = RandomGenerator(seed: 5)
        let x = Tensor.randomNormal([batch, 6 * groups, 9, 13], generator: rng)
        let w = Tensor.randomNormal([6 * groups, 4, 3, 3], generator: rng)
        let (expected, got) = GradientMode.withoutGradients { (Self.twoSteps(x, w, groups: groups), Self.fused(x, w, groups: groups)) }
        #expect(got.shape == [batch, 4 * groups, 18, 26] && got.shape == expected.shape)
        #expect(zip(got.scalars, expected.scalars).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    @Test func withGradientsItRecordsTheTwoOps() {
        let rng = RandomGenerator(seed: 6)
        let x = Tensor.randomNormal([2, 6, 7, 5], generator: rng, requiresGrad: true)
        let w = Tensor.randomNormal([6, 2, 3, 3], generator: rng, requiresGrad: true)
        let fused = Self.fused(x, w, groups: 2)
        (fused * fused).sum().backward()
        let (gx, gw) = (x.grad!.scalars, w.grad!.scalars)
        x.grad = nil
        w.grad = nil
        let reference = Self.twoSteps(x, w, groups: 2)
        (reference * reference).sum().backward()
        #expect(gx == x.grad!.scalars && gw == w.grad!.scalars)
    }
}
