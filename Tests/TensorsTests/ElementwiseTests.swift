import Tensors
import Testing
import TestSupport

@Suite("Elementwise ops against PyTorch")
struct ElementwiseTests {
    static let cases: [OpCase] = [
        OpCase("add_same") { $0[0] + $0[1] },
        OpCase("add_broadcast") { $0[0] + $0[1] },               // [2,3,4] + [3,1]
        OpCase("sub_broadcast") { $0[0] - $0[1] },               // [2,1,4] − [3,1]
        OpCase("mul_broadcast") { $0[0] * $0[1] },               // [2,3,1] · [1,4]
        OpCase("div_broadcast") { $0[0] / $0[1] },               // [3,4] / [4]
        OpCase("mul_scalar_tensor") { $0[0] * $0[1] },           // [2,3] · []
        OpCase("scalar_ops") { (2.5 - ($0[0] * 1.5 + 0.25) / 4) - 1.0 },
        OpCase("pow_fractional") { $0[0].pow(1.7) },
        OpCase("pow_square") { $0[0].pow(2) },
        OpCase("where") { Tensor.where($0[0], $0[1], $0[2]) },  // condition [3,1], a [3,4], b [4]
        OpCase("broadcast") { $0[0].broadcast(to: [2, 3, 4]) },
        OpCase("sum_to_shape") { $0[0].sumToShape([3, 1]) },
    ]

    @Test(arguments: cases)
    func matchesPyTorch(_ opCase: OpCase) throws { try checkAgainstPyTorch(opCase) }

    @Test func comparisonMasksAreConstants() {
        let x = Tensor(shape: [4], scalars: [-1, 0, 0.5, 2], requiresGrad: true)
        #expect(x.greater(0).scalars == [0, 0, 1, 1])
        #expect(x.less(0.5).scalars == [1, 1, 0, 0])
        #expect(x.greater(Tensor(shape: [1], scalars: [0.5])).scalars == [0, 0, 0, 1])
        #expect(!x.greater(0).needsGradient)
    }
}
