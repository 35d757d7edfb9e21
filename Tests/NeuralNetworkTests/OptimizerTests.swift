import Foundation
import NeuralNetwork
import Tensors
import Testing
import TestSupport

/// `Fixtures/optimizers.safetensors`, made by `Scripts/make_nn_fixtures.py`: PyTorch's SGD,
/// Adam, AdamW and the reference Ranger run for 14 steps on given gradients.
private let fixtures: FixtureFile = {
    do { return try FixtureFile(named: "optimizers.safetensors", nextTo: #filePath) } catch { fatalError("\(error)") }
}()

private func makeOptimizer(_ name: String, _ parameters: [Tensor]) -> Optimizer {
    switch name {
    case "sgd": SGD(parameters: parameters, learningRate: 0.1)
    case "sgd_momentum": SGD(parameters: parameters, learningRate: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01)
    case "sgd_nesterov": SGD(parameters: parameters, learningRate: 0.05, momentum: 0.9, nesterov: true)
    case "adam": Adam(parameters: parameters, learningRate: 0.01, weightDecay: 0.01)
    case "adamw": Adam.adamW(parameters: parameters, learningRate: 0.01, betas: (0.9, 0.99), weightDecay: 0.1)
    case "ranger": Ranger(parameters: parameters, learningRate: 0.01)
    case "ranger_wd": Ranger(parameters: parameters, learningRate: 0.02, betas: (0.9, 0.999), weightDecay: 0.01)
    default: fatalError("unknown optimizer \(name)")
    }
}

private let steps = 14

@Suite struct OptimizerTests {
    /// Every step's parameters against PyTorch. Both sides run the same float32 operations in
    /// the same order, so the only differences are from libm (sqrt is exact; pow for the bias
    /// corrections may differ by an ulp) and `a*b+c` fusion: a bound of 1e-6 relative to the
    /// parameters' size is a few ulps.
    @Test(arguments: ["sgd", "sgd_momentum", "sgd_nesterov", "adam", "adamw", "ranger", "ranger_wd"])
    func trajectoryMatchesPyTorch(_ name: String) throws {
        let parameters = try (0..<2).map { try fixtures.tensor("\(name).init.\($0)") }
        let optimizer = makeOptimizer(name, parameters)
        for step in 0..<steps {
            for (j, p) in parameters.enumerated() { p.grad = try fixtures.tensor("\(name).grad.\(step).\(j)") }
            optimizer.step()
            for (j, p) in parameters.enumerated() {
                let expected = try fixtures.tensor("\(name).param.\(step).\(j)")
                let error = relativeError(p, expected)
                #expect(error <= ParityTolerance.bound(gap: nil), "\(name) step \(step) parameter \(j): relative error \(error)")
            }
        }
    }

    /// Saving the state mid-run and restoring it into a fresh optimiser continues the exact
    /// trajectory (bit for bit) — what resuming an interrupted training run relies on.
    @Test(arguments: ["sgd_momentum", "adam", "ranger"])
    func stateRoundTripResumesExactly(_ name: String) throws {
        let gradients = try (0..<steps).map { step in try (0..<2).map { try fixtures.tensor("\(name).grad.\(step).\($0)") } }
        let straight = try (0..<2).map { try fixtures.tensor("\(name).init.\($0)") }
        let straightOptimizer = makeOptimizer(name, straight)
        for step in 0..<steps {
            for (p, g) in zip(straight, gradients[step]) { p.grad = g }
            straightOptimizer.step()
        }

        let resumed = try (0..<2).map { try fixtures.tensor("\(name).init.\($0)") }
        let first = makeOptimizer(name, resumed)
        for step in 0..<5 {
            for (p, g) in zip(resumed, gradients[step]) { p.grad = g }
            first.step()
        }
        let saved = first.stateDictionary()
        let second = makeOptimizer(name, resumed)
        try second.load(stateDictionary: saved)
        for step in 5..<steps {
            for (p, g) in zip(resumed, gradients[step]) { p.grad = g }
            second.step()
        }
        for (a, b) in zip(straight, resumed) { #expect(a.scalars == b.scalars) }
    }

    @Test func mismatchedStateIsRejectedWithTheKey() throws {
        let p = Tensor.zeros([3], requiresGrad: true)
        let optimizer = Adam(parameters: [p])
        #expect(throws: OptimizerStateError.self) { try optimizer.load(stateDictionary: ["0.exp_avg": Tensor.zeros([4])]) }
        do {
            try optimizer.load(stateDictionary: ["7.exp_avg": Tensor.zeros([3])])
        } catch {
            #expect("\(error)".contains("'7.exp_avg'"))
        }
    }

    @Test func rangerCentralisesMatrixGradientsOnly() {
        // With gradient centralisation, a gradient constant along each row of a matrix is
        // removed entirely; a vector's is not.
        let matrix = Tensor.ones([2, 3], requiresGrad: true), vector = Tensor.ones([3], requiresGrad: true)
        let optimizer = Ranger(parameters: [matrix, vector], learningRate: 0.1)
        matrix.grad = Tensor(shape: [2, 3], scalars: [1, 1, 1, 2, 2, 2])
        vector.grad = Tensor.ones([3])
        optimizer.step()
        #expect(matrix.scalars == [1, 1, 1, 1, 1, 1])
        #expect(vector.scalars.allSatisfy { $0 < 1 })
    }
}
