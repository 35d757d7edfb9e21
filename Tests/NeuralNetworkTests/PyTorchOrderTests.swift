import NeuralNetwork
import Tensors
import Testing

/// A module that declares a parameter and a buffer after its children, as Swift code often does
/// and as `torch.nn.Module` never lists them.
private final class LateParameters: Module {
    var conv = Linear(4, 4)
    @Buffer var kernel = Tensor.zeros([2])
    var inner = Inner()
    var bias = Tensor.zeros([4], requiresGrad: true)
    var noises: [String: Tensor] = ["noise_0": Tensor.zeros([1])]
}

private final class Inner: Module {
    var proj = Linear(4, 2)
    var scale = Tensor.zeros([1], requiresGrad: true)
}

@Suite struct PyTorchOrderTests {
    @Test func ownParametersComeBeforeChildrensAsInPyTorch() {
        let module = LateParameters()
        #expect(module.namedParameters().map(\.key) == ["conv.weight", "conv.bias", "inner.proj.weight", "inner.proj.bias", "inner.scale", "bias"])
        #expect(module.pyTorchOrderedParameters().map(\.key) == ["bias", "conv.weight", "conv.bias", "inner.scale", "inner.proj.weight", "inner.proj.bias"])
        #expect(module.pyTorchOrderedStateDictionary().map(\.key) == [
            "bias", "kernel", "conv.weight", "conv.bias", "inner.scale", "inner.proj.weight", "inner.proj.bias", "noises.noise_0",
        ])
        let parameters = module.pyTorchOrderedParameters()
        #expect(parameters.allSatisfy { entry in module.namedParameters().contains { $0.key == entry.key && $0.tensor === entry.tensor } })
    }
}
