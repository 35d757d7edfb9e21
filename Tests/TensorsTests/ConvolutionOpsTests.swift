import Tensors
import Testing
import TestSupport

@Suite("Convolutions against PyTorch")
struct ConvolutionOpsTests {
    static let cases: [OpCase] = [
        OpCase("conv2d_basic") { Tensor.conv2d($0[0], weight: $0[1], bias: $0[2]) },
        OpCase("conv2d_pad1") { Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], options: .init(padding: 1)) },
        OpCase("conv2d_stride2") { Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], options: .init(stride: 2, padding: 1)) },
        OpCase("conv2d_stride2_pad0") { Tensor.conv2d($0[0], weight: $0[1], options: .init(stride: 2)) },
        OpCase("conv2d_groups2") { Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], options: .init(padding: 1, groups: 2)) },
        OpCase("conv2d_1x1") { Tensor.conv2d($0[0], weight: $0[1], bias: $0[2]) },
        OpCase("conv2d_patch4") { Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], options: .init(stride: 4)) },
        OpCase("conv2d_depthwise_stride2") {
            Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], options: .init(stride: 2, padding: 1, groups: 4))
        },
        OpCase("conv2d_rectangular") {  // 3×2 kernel, stride (2, 1), padding (1, 0), 7×9 input
            Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], options: .init(stride: (2, 1), padding: (1, 0)))
        },
        // StyleGAN2's upsampling conv: weight [Cin, Cout/groups, 3, 3], stride 2, padding 0.
        OpCase("conv_transpose2d_stylegan") { Tensor.convTranspose2d($0[0], weight: $0[1], options: .init(stride: 2, groups: 2)) },
        OpCase("conv_transpose2d_bias_pad1") {
            Tensor.convTranspose2d($0[0], weight: $0[1], bias: $0[2], options: .init(stride: 2, padding: 1))
        },
        OpCase("conv_transpose2d_batch2_groups2") {
            Tensor.convTranspose2d($0[0], weight: $0[1], bias: $0[2], options: .init(stride: 2, groups: 2))
        },
    ]

    @Test(arguments: cases)
    func matchesPyTorch(_ opCase: OpCase) throws { try checkAgainstPyTorch(opCase) }
}
