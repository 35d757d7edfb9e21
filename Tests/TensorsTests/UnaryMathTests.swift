import Foundation
import Tensors
import Testing
import TestSupport

@Suite("Unary math against PyTorch")
struct UnaryMathTests {
    // Inputs of relu, abs, clamp and leakyRelu stay ≥ 0.1 from the kinks (see the script), so
    // the finite-difference step 1e-2 never crosses one.
    static let cases: [OpCase] = [
        OpCase("sqrt") { $0[0].sqrt() },
        OpCase("rsqrt") { $0[0].rsqrt() },
        OpCase("exp") { $0[0].exp() },
        OpCase("log") { $0[0].log() },
        OpCase("abs") { $0[0].abs() },
        OpCase("clamp") { $0[0].clamp(min: -0.5, max: 0.7) },
        OpCase("tanh") { $0[0].tanh() },
        OpCase("sigmoid") { $0[0].sigmoid() },
        OpCase("relu") { $0[0].relu() },
        OpCase("leaky_relu") { $0[0].leakyRelu(slope: 0.2, scale: Float(2).squareRoot()) },
        OpCase("gelu", secondOrder: false) { $0[0].gelu() },
        OpCase("softplus") { $0[0].softplus() },   // includes ±25 and 19.5 (linear above 20)
    ]

    @Test(arguments: cases)
    func matchesPyTorch(_ opCase: OpCase) throws { try checkAgainstPyTorch(opCase) }

    /// At the kinks (exact zeros, clamp bounds) the gradient is PyTorch's choice of subgradient.
    static let kinkCases: [OpCase] = [
        OpCase("leaky_relu_at_zero", finiteDifferences: false) { $0[0].leakyRelu(slope: 0.2, scale: Float(2).squareRoot()) },
        OpCase("relu_at_zero", finiteDifferences: false) { $0[0].relu() },
        OpCase("abs_at_zero", finiteDifferences: false) { $0[0].abs() },
        OpCase("clamp_at_bounds", finiteDifferences: false) { $0[0].clamp(min: 0, max: 0.7) },
    ]

    @Test(arguments: kinkCases)
    func subgradientsMatchPyTorch(_ opCase: OpCase) throws { try checkAgainstPyTorch(opCase) }
}
