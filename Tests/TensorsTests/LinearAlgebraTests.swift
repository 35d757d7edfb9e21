import Tensors
import Testing
import TestSupport

@Suite("Matrix products against PyTorch")
struct LinearAlgebraTests {
    static let cases: [OpCase] = [
        OpCase("matmul_2d") { Tensor.matmul($0[0], $0[1]) },                        // [5,7]·[7,3]
        OpCase("matmul_batched") { Tensor.matmul($0[0], $0[1]) },                   // [2,4,6]·[2,6,3]
        OpCase("matmul_broadcast_batch") { Tensor.matmul($0[0], $0[1]) },           // [2,1,4,5]·[3,5,2]
        OpCase("matmul_batch_by_matrix") { Tensor.matmul($0[0], $0[1]) },           // [2,4,6]·[6,3]
        OpCase("matmul_transpose_a") { Tensor.matmul($0[0], $0[1], transposeA: true) },
        OpCase("matmul_transpose_b") { Tensor.matmul($0[0], $0[1], transposeB: true) },
        OpCase("matmul_transpose_both") { Tensor.matmul($0[0], $0[1], transposeA: true, transposeB: true) },
        OpCase("matmul_batched_transpose_a") { Tensor.matmul($0[0], $0[1], transposeA: true) },  // [2,5,4]ᵀ·[5,3]
        OpCase("matmul_matrix_by_batch") { Tensor.matmul($0[0], $0[1]) },           // [4,5]·[3,5,2]
        OpCase("matmul_outer") { Tensor.matmul($0[0], $0[1]) },                     // [4,1]·[1,3]
        OpCase("linear_3d") { Tensor.linear($0[0], weight: $0[1], bias: $0[2]) },    // [2,3,5], w [4,5], b [4]
    ]

    @Test(arguments: cases)
    func matchesPyTorch(_ opCase: OpCase) throws { try checkAgainstPyTorch(opCase) }
}
