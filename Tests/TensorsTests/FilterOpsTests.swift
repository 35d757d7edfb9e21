import Tensors
import Testing
import TestSupport

@Suite("upfirdn2d, pooling and resizing against PyTorch")
struct FilterOpsTests {
    // The FIR kernel (input 1) is a constant; the reference is rosinality's `upfirdn2d_native`.
    static let cases: [OpCase] = [
        OpCase("upfirdn2d_up2") { Tensor.upfirdn2d($0[0], kernel: $0[1], up: (2, 2), padding: (2, 1, 2, 1)) },
        OpCase("upfirdn2d_blur") { Tensor.upfirdn2d($0[0], kernel: $0[1], padding: (1, 1, 1, 1)) },
        OpCase("upfirdn2d_down2") { Tensor.upfirdn2d($0[0], kernel: $0[1], down: (2, 2), padding: (1, 1, 1, 1)) },
        OpCase("upfirdn2d_asymmetric") { Tensor.upfirdn2d($0[0], kernel: $0[1], up: (2, 1), down: (1, 2), padding: (2, 0, 0, 3)) },
        OpCase("upfirdn2d_blur_pad2") { Tensor.upfirdn2d($0[0], kernel: $0[1], padding: (2, 2, 2, 2)) },
        OpCase("upfirdn2d_up2_down2") { Tensor.upfirdn2d($0[0], kernel: $0[1], up: (2, 2), down: (2, 2), padding: (1, 2, 2, 1)) },
        OpCase("upfirdn2d_negative_pad") { Tensor.upfirdn2d($0[0], kernel: $0[1], padding: (-1, 2, 1, -2)) },
        OpCase("adaptive_avg_pool_12to4") { $0[0].adaptiveAveragePool2d(outputHeight: 4, outputWidth: 4) },
        OpCase("adaptive_avg_pool_7to3") { $0[0].adaptiveAveragePool2d(outputHeight: 3, outputWidth: 2) },  // 7×5 → 3×2
        OpCase("adaptive_avg_pool_3to5") { $0[0].adaptiveAveragePool2d(outputHeight: 5, outputWidth: 4) },  // overlapping windows
        OpCase("avg_pool_2") { $0[0].averagePool2d(kernel: 2) },
        OpCase("avg_pool_3_stride2") { $0[0].averagePool2d(kernel: 3, stride: 2) },
        OpCase("bilinear_up") { $0[0].resizeBilinear(height: 9, width: 13) },    // 5×6 → 9×13
        OpCase("bilinear_down") { $0[0].resizeBilinear(height: 5, width: 4) },   // 12×10 → 5×4
    ]

    @Test(arguments: cases)
    func matchesPyTorch(_ opCase: OpCase) throws { try checkAgainstPyTorch(opCase) }
}
