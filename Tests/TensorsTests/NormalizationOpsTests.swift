import Tensors
import Testing
import TestSupport

@Suite("Softmax and normalisation against PyTorch")
struct NormalizationOpsTests {
    static let cases: [OpCase] = [
        OpCase("softmax_last") { $0[0].softmax() },
        OpCase("softmax_axis1") { $0[0].softmax(axis: 1) },
        OpCase("log_softmax_last") { $0[0].logSoftmax() },
        OpCase("log_softmax_axis0") { $0[0].logSoftmax(axis: 0) },
        // Logits up to ±100: exp overflows float32 unless the row maximum is subtracted first.
        OpCase("softmax_large_logits") { $0[0].softmax() },
        OpCase("log_softmax_large_logits") { $0[0].logSoftmax() },
        // Rows around 300 with unit spread: a naive E[x²] − E[x]² in float32 loses everything.
        OpCase("layer_norm_offset") { Tensor.layerNorm($0[0], weight: nil, bias: nil) },
        OpCase("layer_norm_affine") { Tensor.layerNorm($0[0], weight: $0[1], bias: $0[2]) },
        OpCase("layer_norm_plain") { Tensor.layerNorm($0[0], weight: nil, bias: nil) },
        OpCase("l2_normalize_last") { $0[0].l2Normalized() },
        OpCase("l2_normalize_axis1") { $0[0].l2Normalized(axis: 1) },
        // An all-zero row: PyTorch divides by epsilon, giving finite gradients (gout / 1e-12).
        OpCase("l2_normalize_zero_row", finiteDifferences: false) { $0[0].l2Normalized() },
    ]

    @Test(arguments: cases)
    func matchesPyTorch(_ opCase: OpCase) throws { try checkAgainstPyTorch(opCase) }
}
