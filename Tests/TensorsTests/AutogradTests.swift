import Foundation
import Tensors
import Testing
import TestSupport

@Suite("Autograd semantics")
struct AutogradTests {
    /// StyleGAN2's R1 penalty path: g = ∂⟨upfirdn2d(leakyRelu(conv2d(x, w) + b)), gout⟩/∂x with
    /// the graph recorded, then ∂Σg²/∂w — against `torch.autograd.grad(..., create_graph=True)`.
    @Test func doubleBackwardThroughConvLeakyReluUpfirdnMatchesPyTorch() throws {
        let name = "double_backward"
        let info = try FixtureCaseInfo(name)
        func fixture(_ key: String) throws -> Tensor { try opFixtures.tensor("\(name).\(key)") }
        let x = try fixture("x"), w = try fixture("w"), b = try fixture("b"), kernel = try fixture("k")
        let gout = try fixture("gout")
        for t in [x, w, b] { t.requiresGrad = true }

        func discriminator(_ x: Tensor, _ w: Tensor) -> Tensor {
            let y = Tensor.conv2d(x, weight: w, bias: b, options: .init(padding: 1)).leakyRelu(slope: 0.2, scale: Float(2).squareRoot())
            return Tensor.upfirdn2d(y, kernel: kernel, down: (2, 2), padding: (1, 1, 1, 1))
        }
        let out = discriminator(x, w)
        let g = gradients(of: out, withRespectTo: [x], seed: gout, createGraph: true)[0]
        #expect(g.needsGradient)
        let penalty = (g * g).sum()
        let (gw, gb) = { (r: [Tensor]) in (r[0], r[1]) }(gradients(of: penalty, withRespectTo: [w, b]))

        let errors = [
            ("out", relativeError(out, try fixture("out"))),
            ("grad_x", relativeError(g, try fixture("grad_x"))),
            ("penalty", relativeError(penalty, try fixture("penalty"))),
            ("grad_penalty_w", relativeError(gw, try fixture("grad_penalty_w"))),
        ]
        for (key, error) in errors {
            #expect(error <= info.bound(key), "\(key): relative error \(error)")
        }
        // The leaky ReLU's slope is piecewise constant, so the penalty does not depend on b.
        #expect(maxAbsError(gb, Tensor.zeros(b.shape)) == 0)

        // And ∂penalty/∂w against finite differences of the penalty computed through autograd.
        let fd = FiniteDifferences.relativeErrors(of: { t in
            GradientMode.withGradients {
                t[0].requiresGrad = true   // for g; not itself checked (the penalty is flat in x)
                let g = gradients(of: discriminator(t[0], t[1]), withRespectTo: [t[0]], seed: gout, createGraph: true)[0]
                return (g * g).sum()
            }
        }, at: [x.detached(), w.detached()], differentiable: [1], gout: Tensor(1))
        #expect(fd[0] <= finiteDifferenceTolerance, "finite differences of the penalty: \(fd[0])")
        print("[op-errors] double_backward " + errors.map { String(format: "\($0.0)=%.1e", $0.1) }.joined(separator: " ")
              + String(format: " fd_penalty_w=%.1e", fd[0]))
    }

    /// Every twice-differentiable op: penalty = Σᵢ Σ gᵢ² with gᵢ = ∂⟨op(inputs), gout⟩/∂inputᵢ
    /// recorded (`createGraph`), and ∂penalty/∂inputs from autograd against finite differences.
    @Test(arguments: (ElementwiseTests.cases + UnaryMathTests.cases + ReductionsTests.cases + LinearAlgebraTests.cases
                      + ConvolutionOpsTests.cases + FilterOpsTests.cases + NormalizationOpsTests.cases + ShapeOpsTests.cases)
            .filter { $0.finiteDifferences && $0.secondOrder })
    func secondDerivativesMatchFiniteDifferences(_ opCase: OpCase) throws {
        let info = try FixtureCaseInfo(opCase.name)
        let inputs = try info.inputs.map { try opFixtures.tensor("\(opCase.name).\($0)") }
        let differentiable = info.grads.map { info.inputs.firstIndex(of: $0)! }
        let gout = try opFixtures.tensor("\(opCase.name).gout")
        let errors = FiniteDifferences.relativeErrors(of: { t in
            GradientMode.withGradients {
                let g = gradients(of: opCase.op(t), withRespectTo: differentiable.map { t[$0] }, seed: gout, createGraph: true)
                return g.map { ($0 * $0).sum() }.reduce(Tensor(0), +)
            }
        }, at: inputs, differentiable: differentiable, gout: Tensor(1), step: opCase.step)
        for (inputName, error) in zip(info.grads, errors) {
            #expect(error <= finiteDifferenceTolerance, "\(opCase.name): second derivative w.r.t. \(inputName) off by \(error)")
        }
        print("[op-errors-2nd] \(opCase.name) " + zip(info.grads, errors).map { String(format: "\($0)=%.1e", $1) }.joined(separator: " "))
    }

    @Test func finiteDifferenceCheckerCatchesAWrongGradient() {
        // x · detached(x): autograd sees x (the detached factor is a constant), the function's
        // true derivative is 2x, so the checker must report a relative error of 1/2.
        let x = Tensor(shape: [5], scalars: [0.3, -1.2, 0.8, 2.0, -0.5])
        let wrong = FiniteDifferences.relativeErrors(of: { $0[0] * $0[0].detached() }, at: [x])
        let right = FiniteDifferences.relativeErrors(of: { $0[0] * $0[0] }, at: [x])
        #expect(Swift.abs(wrong[0] - 0.5) < 1e-3)
        #expect(right[0] < 1e-5)
    }

    @Test func secondDerivativeThroughSavedIntermediates() {
        // y = tanh(x), L = Σ y²: g = 2y(1 − y²), ∂Σg/∂x = (2 − 6y²)(1 − y²). The rules of mul and
        // tanh read the intermediate y, so this fails if its graph was freed by the first pass.
        let x = Tensor(shape: [3], scalars: [-0.7, 0.2, 1.1], requiresGrad: true)
        let y = x.tanh()
        let g = gradients(of: (y * y).sum(), withRespectTo: [x], createGraph: true)[0]
        let h = gradients(of: g.sum(), withRespectTo: [x])[0]
        let expected = x.scalars.map { v -> Float in
            let t = Foundation.tanh(v)
            return (2 - 6 * t * t) * (1 - t * t)
        }
        #expect(relativeError(h, Tensor(shape: [3], scalars: expected)) < 1e-6)
    }

    @Test func gradientsAccumulateOverBackwardCalls() {
        let x = Tensor(shape: [3], scalars: [1, -2, 3], requiresGrad: true)
        (x * x).sum().backward()
        #expect(x.grad?.scalars == [2, -4, 6])
        (x * 3).sum().backward()
        #expect(x.grad?.scalars == [5, -1, 9])
    }

    @Test func retainGraphAllowsASecondBackward() {
        let x = Tensor(shape: [2], scalars: [0.5, -1.5], requiresGrad: true)
        let loss = (x.tanh() * x).sum()
        loss.backward(retainGraph: true)
        let once = x.grad!.scalars
        loss.backward()
        #expect(relativeError(x.grad!, Tensor(shape: [2], scalars: once.map { 2 * $0 })) < 1e-7)
    }

    @Test func detachedCutsTheGraph() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let y = x * 2
        let d = y.detached()
        #expect(!d.needsGradient && d.storage === y.storage && d.scalars == [2, 4])
        (x * d).sum().backward()
        #expect(x.grad?.scalars == [2, 4])   // d treated as a constant
    }

    @Test func withoutGradientsRecordsNothing() {
        let x = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4], requiresGrad: true)
        let y = GradientMode.withoutGradients {
            #expect(!GradientMode.isEnabled)
            return Tensor.matmul(x, x).tanh().sum(axis: 0)
        }
        #expect(GradientMode.isEnabled)
        #expect(!y.needsGradient)
        let z = GradientMode.withoutGradients { GradientMode.withGradients { (x * x).sum() } }
        #expect(z.needsGradient)
    }

    @Test func gradientsWithRespectToAnIntermediate() {
        let x = Tensor(shape: [3], scalars: [0.1, 0.2, 0.3], requiresGrad: true)
        let h = x.exp()
        let loss = (h * h).sum()
        let (gh, gx) = { (r: [Tensor]) in (r[0], r[1]) }(gradients(of: loss, withRespectTo: [h, x]))
        #expect(relativeError(gh, h.detached() * 2) < 1e-7)
        #expect(relativeError(gx, (x.detached() * 2).exp() * 2) < 1e-6)
        #expect(x.grad == nil)   // returned, not accumulated
    }

    @Test func unreachedInputsGetZeroGradients() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let unused = Tensor(shape: [3], scalars: [1, 2, 3], requiresGrad: true)
        let g = gradients(of: (x * x).sum(), withRespectTo: [unused])[0]
        #expect(g.shape == [3] && g.scalars == [0, 0, 0])
    }
}

@Suite("Autograd memory")
struct AutogradMemoryTests {
    /// Whether the tensor `make` returns is deallocated once the caller drops it.
    static func released(_ make: () -> Tensor) -> Bool {
        weak var probe: Tensor?
        do { probe = make() }
        return probe == nil
    }

    static let ops: [(String, @Sendable (Tensor) -> Tensor)] = [
        ("exp", { $0.exp() }), ("sqrt", { $0.sqrt() }), ("rsqrt", { $0.rsqrt() }), ("tanh", { $0.tanh() }),
        ("sigmoid", { $0.sigmoid() }), ("softmax", { $0.softmax() }), ("logSoftmax", { $0.logSoftmax(axis: 0) }),
        ("layerNorm", { Tensor.layerNorm($0, weight: nil, bias: nil) }), ("l2Normalized", { $0.l2Normalized() }),
    ]

    /// A recorded graph that is never walked by backward (an evaluation forgetting the no-grad
    /// scope, a createGraph result never differentiated) must still be freed with its tensors.
    @Test func graphsThatAreNeverBackwardedAreFreed() {
        for (name, op) in Self.ops {
            #expect(Self.released { op(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6], requiresGrad: true)) }, "\(name)")
        }
    }

    @Test(arguments: ElementwiseTests.cases + UnaryMathTests.cases + ReductionsTests.cases + LinearAlgebraTests.cases
            + ConvolutionOpsTests.cases + FilterOpsTests.cases + NormalizationOpsTests.cases + ShapeOpsTests.cases)
    func everyOpsGraphIsFreedWithoutBackward(_ opCase: OpCase) throws {
        let info = try FixtureCaseInfo(opCase.name)
        let inputs = try info.inputs.map { try opFixtures.tensor("\(opCase.name).\($0)") }
        for name in info.grads { inputs[info.inputs.firstIndex(of: name)!].requiresGrad = true }
        #expect(Self.released { opCase.op(inputs) })
    }

    @Test func retainedAndCreatedGraphsAreFreedWithTheirTensors() {
        for (name, op) in Self.ops {
            #expect(Self.released {
                let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6], requiresGrad: true)
                let y = op(x)
                (y * y).sum().backward(retainGraph: true)
                return y
            }, "\(name) after backward(retainGraph: true)")
            #expect(Self.released {
                let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6], requiresGrad: true)
                let g = gradients(of: (op(x) * x).sum(), withRespectTo: [x], createGraph: true)[0]
                return g
            }, "\(name): a createGraph gradient that is never differentiated")
        }
    }
}
