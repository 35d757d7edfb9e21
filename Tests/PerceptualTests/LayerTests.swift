import Foundation
import NeuralNetwork
import Perceptual
import Tensors
import Testing
import TestSupport

/// Max-pool, PReLU, BatchNorm and the SE gate against PyTorch (`layers.safetensors`) and finite
/// differences.
struct LayerTests {
    let fixtures: FixtureFile
    let gaps: [String: Double]

    init() throws {
        fixtures = try PerceptualFixtures.fixtures("layers.safetensors")
        gaps = PerceptualFixtures.gaps(fixtures)
    }

    func check(_ name: String, _ key: String, _ value: Tensor, _ file: StaticString = #filePath) throws {
        let expected = try fixtures.tensor("\(name).\(key)")
        let error = relativeError(value, expected)
        print("parity \(name).\(key): relative L2 \(error) (PyTorch f32 gap \(gaps["\(name).\(key)"] ?? 0))")
        #expect(error <= PerceptualFixtures.bound(gaps["\(name).\(key)"]), "\(name).\(key): \(error)")
    }

    @Test(arguments: [("maxpool_k3s2", 3, 2, 0), ("maxpool_k3s2p1", 3, 2, 1), ("maxpool_k2", 2, 2, 0), ("maxpool_ties", 3, 2, 0)])
    func maxPoolMatchesPyTorch(name: String, kernel: Int, stride: Int, padding: Int) throws {
        let x = try fixtures.tensor("\(name).x")
        x.requiresGrad = true
        let y = x.maxPool2d(kernel: kernel, stride: stride, padding: padding)
        // Max-pooling selects elements: the values must be identical, and so must the gradient.
        #expect(y.scalars == (try fixtures.tensor("\(name).y")).scalars)
        let dx = gradients(of: y, withRespectTo: [x], seed: try fixtures.tensor("\(name).gout"))[0]
        #expect(maxAbsError(dx, try fixtures.tensor("\(name).dx")) <= 1e-6, "\(name): ties must send the gradient to the first maximum")
    }

    @Test func maxPoolFiniteDifferences() throws {
        let x = try fixtures.tensor("maxpool_k3s2.x")   // continuous values: no ties
        for (kernel, stride, padding) in [(3, 2, 0), (3, 2, 1), (2, 2, 0), (1, 2, 0)] {
            let error = FiniteDifferences.relativeErrors(of: { $0[0].maxPool2d(kernel: kernel, stride: stride, padding: padding) },
                                                         at: [x], step: 1e-3)[0]
            #expect(error < 1e-2, "kernel \(kernel) stride \(stride) padding \(padding): \(error)")
        }
    }

    @Test func maxPoolKernelOneIsStridedSubsample() throws {
        let x = Tensor(shape: [1, 1, 3, 4], scalars: (0..<12).map(Float.init))
        #expect(MaxPool2d(kernelSize: 1, stride: 2)(x).scalars == [0, 2, 8, 10])
        #expect(MaxPool2d(kernelSize: 1, stride: 2)(x).shape == [1, 1, 2, 2])
    }

    @Test func preluMatchesPyTorch() throws {
        let prelu = PReLU(channels: 4)
        prelu.weight.assign(try fixtures.tensor("prelu.weight"))
        let x = try fixtures.tensor("prelu.x")
        x.requiresGrad = true
        let y = prelu(x)
        try check("prelu", "y", y)
        let grads = gradients(of: y, withRespectTo: [x, prelu.weight], seed: try fixtures.tensor("prelu.gout"))
        try check("prelu", "dx", grads[0])
        try check("prelu", "dweight", grads[1])
        #expect(prelu.namedParameters().map(\.key) == ["weight"])
        let xSmooth = x.detached() + 0.05   // keep finite differences off the kink at 0
        let errors = FiniteDifferences.relativeErrors(of: { inputs in
            Tensor.where(inputs[0].greater(0), inputs[0], inputs[0] * inputs[1].reshape([1, 4, 1, 1]))
        }, at: [xSmooth, prelu.weight.detached()], step: 1e-3)
        #expect(errors.allSatisfy { $0 < 1e-2 }, "\(errors)")
    }

    @Test(arguments: ["bn2d_eval", "bn1d_eval"])
    func batchNormEvaluationMatchesPyTorch(name: String) throws {
        let x = try fixtures.tensor("\(name).x")
        let norm = BatchNorm(channels: x.shape[1])
        try norm.load(stateDictionary: [
            "weight": try fixtures.tensor("\(name).weight"), "bias": try fixtures.tensor("\(name).bias"),
            "running_mean": try fixtures.tensor("\(name).running_mean"), "running_var": try fixtures.tensor("\(name).running_var"),
            "num_batches_tracked": Tensor(3),
        ])
        norm.eval()
        x.requiresGrad = true
        let y = norm(x)
        try check(name, "y", y)
        let grads = gradients(of: y, withRespectTo: [x, norm.weight!, norm.bias!], seed: try fixtures.tensor("\(name).gout"))
        try check(name, "dx", grads[0])
        try check(name, "dweight", grads[1])
        try check(name, "dbias", grads[2])
        let errors = FiniteDifferences.relativeErrors(of: { norm($0[0]) }, at: [x.detached()], step: 1e-2)
        #expect(errors[0] < 1e-2, "\(errors)")
    }

    @Test func batchNormTrainingMatchesPyTorch() throws {
        let norm = BatchNorm(channels: 4)
        for (key, name) in [("weight", "weight"), ("bias", "bias"), ("running_mean", "running_mean"), ("running_var", "running_var")] {
            norm.stateDictionary().first { $0.key == key }!.tensor.assign(try fixtures.tensor("bn2d_train.\(name)"))
        }
        norm.train()
        let x = try fixtures.tensor("bn2d_train.x")
        x.requiresGrad = true
        let y = norm(x)
        try check("bn2d_train", "y", y)
        let grads = gradients(of: y, withRespectTo: [x, norm.weight!, norm.bias!], seed: try fixtures.tensor("bn2d_train.gout"))
        try check("bn2d_train", "dx", grads[0])
        try check("bn2d_train", "dweight", grads[1])
        try check("bn2d_train", "dbias", grads[2])
        #expect(relativeError(norm.runningMean, try fixtures.tensor("bn2d_train.new_running_mean")) <= ParityTolerance.bound(gap: nil))
        #expect(relativeError(norm.runningVariance, try fixtures.tensor("bn2d_train.new_running_var")) <= ParityTolerance.bound(gap: nil))
        #expect(norm.batchesTracked.item() == 1)
    }

    @Test func batchNormKeysArePyTorchs() {
        #expect(BatchNorm(channels: 3).stateDictionary().map(\.key) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        #expect(BatchNorm(channels: 3, affine: false).stateDictionary().map(\.key) == ["running_mean", "running_var", "num_batches_tracked"])
    }

    @Test func squeezeExcitationMatchesReleasedSEModule() throws {
        let gate = SqueezeExcitation(channels: 32, reduction: 16)
        try gate.load(stateDictionary: ["fc1.weight": try fixtures.tensor("se.fc1"), "fc2.weight": try fixtures.tensor("se.fc2")])
        let x = try fixtures.tensor("se.x")
        x.requiresGrad = true
        let y = gate(x)
        try check("se", "y", y)
        try check("se", "dx", gradients(of: y, withRespectTo: [x], seed: try fixtures.tensor("se.gout"))[0])
        let errors = FiniteDifferences.relativeErrors(of: { gate($0[0]) }, at: [x.detached()], step: 1e-2)
        #expect(errors[0] < 1e-2, "\(errors)")
    }
}
