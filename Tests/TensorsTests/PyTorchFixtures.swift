import Foundation
import Tensors
import Testing
import TestSupport

/// `Fixtures/ops.safetensors`, made by `Scripts/make_op_fixtures.py` (see its header).
let opFixtures: FixtureFile = {
    do { return try FixtureFile(named: "ops.safetensors", nextTo: #filePath) } catch { fatalError("\(error)") }
}()

/// What the script records about one case (the `__metadata__` JSON string named after it).
struct FixtureCaseInfo: Decodable {
    /// Input names, in the order the op receives them.
    let inputs: [String]
    /// The inputs that get a `grad_<name>` reference.
    let grads: [String]
    /// PyTorch float32 vs float64 relative L2 error of `out` and of each `grad_<name>`.
    let gap: [String: Double]

    init(_ name: String) throws {
        guard let json = opFixtures.metadata[name] else { throw FixtureFile.Failure.missing("__metadata__.\(name)") }
        self = try JSONDecoder().decode(Self.self, from: Data(json.utf8))
    }

    /// The error we allow for `key` ("out", "grad_x", …): `ParityTolerance`, from what
    /// PyTorch's own float32 run shows on this case.
    func bound(_ key: String) -> Double { ParityTolerance.bound(gap: gap[key]) }
}

/// One op under test: a fixture case name and how to call the op on the case's inputs.
struct OpCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// Finite-difference step.
    var step: Float = 1e-2
    /// False where the case sits on a kink on purpose (PyTorch's subgradient is the reference).
    var finiteDifferences = true
    /// False for ops whose backward cannot be recorded (gelu stops with a precondition).
    var secondOrder = true
    let op: @Sendable ([Tensor]) -> Tensor

    init(_ name: String, step: Float = 1e-2, finiteDifferences: Bool = true, secondOrder: Bool = true,
         _ op: @escaping @Sendable ([Tensor]) -> Tensor) {
        self.name = name
        self.step = step
        self.finiteDifferences = finiteDifferences
        self.secondOrder = secondOrder
        self.op = op
    }

    var testDescription: String { name }
}

/// Relative L2 error that finite differences may show against autograd: float32 outputs leave
/// ~1e-5 of noise at h = 1e-2 and the O(h²) truncation ~1e-4 on smooth test points.
let finiteDifferenceTolerance = 1e-2

/// Forward against `out`, backward of `Σ out·gout` against each `grad_<input>`, both within
/// `FixtureCaseInfo.bound` — the backward twice: plain, and recorded with `createGraph` (rules
/// such as softmax's and layer norm's switch to composed ops then) — and finally the backward
/// against central finite differences.
/// Prints one `[op-errors]` line with the measured errors.
func checkAgainstPyTorch(_ opCase: OpCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let info = try FixtureCaseInfo(opCase.name)
    let inputs = try info.inputs.map { try opFixtures.tensor("\(opCase.name).\($0)") }
    let differentiable = info.grads.map { info.inputs.firstIndex(of: $0)! }
    for i in differentiable { inputs[i].requiresGrad = true }
    var report: [String] = []

    let out = opCase.op(inputs)
    let outError = relativeError(out, try opFixtures.tensor("\(opCase.name).out"))
    report.append(String(format: "out=%.1e", outError))
    #expect(outError <= info.bound("out"), "\(opCase.name): forward relative error \(outError)", sourceLocation: sourceLocation)

    let gout = try opFixtures.tensor("\(opCase.name).gout")
    if !differentiable.isEmpty {
        out.backward(seed: gout)
        for (i, inputName) in zip(differentiable, info.grads) {
            let key = "grad_\(inputName)"
            let error = relativeError(inputs[i].grad ?? Tensor.zeros(inputs[i].shape), try opFixtures.tensor("\(opCase.name).\(key)"))
            report.append(String(format: "\(key)=%.1e", error))
            #expect(error <= info.bound(key), "\(opCase.name): \(key) relative error \(error)", sourceLocation: sourceLocation)
        }
        if opCase.secondOrder {
            let fresh = inputs.map { $0.detached() }
            for i in differentiable { fresh[i].requiresGrad = true }
            let recorded = gradients(of: opCase.op(fresh), withRespectTo: differentiable.map { fresh[$0] }, seed: gout, createGraph: true)
            for (gradient, inputName) in zip(recorded, info.grads) {
                let key = "grad_\(inputName)"
                let error = relativeError(gradient, try opFixtures.tensor("\(opCase.name).\(key)"))
                report.append(String(format: "rec_\(key)=%.1e", error))
                #expect(error <= info.bound(key), "\(opCase.name): recorded \(key) relative error \(error)",
                        sourceLocation: sourceLocation)
            }
        }
        guard opCase.finiteDifferences else {
            print("[op-errors] \(opCase.name) " + report.joined(separator: " "))
            return
        }
        let fdErrors = FiniteDifferences.relativeErrors(of: opCase.op, at: inputs.map { $0.detached() },
                                                        differentiable: differentiable, gout: gout, step: opCase.step)
        for (inputName, error) in zip(info.grads, fdErrors) {
            report.append(String(format: "fd_\(inputName)=%.1e", error))
            #expect(error <= finiteDifferenceTolerance, "\(opCase.name): finite differences of \(inputName) off by \(error)",
                    sourceLocation: sourceLocation)
        }
    }
    print("[op-errors] \(opCase.name) " + report.joined(separator: " "))
}
