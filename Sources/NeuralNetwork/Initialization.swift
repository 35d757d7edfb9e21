import Tensors

/// Where layers draw their initial weights when no generator is passed.
public enum Initialization {
    /// Shared generator for default initialisation; reseed it for reproducible models. It is not
    /// synchronised: code that builds models on several threads at once should pass its own
    /// generator (every layer takes one).
    nonisolated(unsafe) public static var defaultGenerator = RandomGenerator(seed: 0)

    /// PyTorch's default for Linear and Conv2d (`kaiming_uniform_(a=√5)` and the matching bias):
    /// uniform in ±1/√fanIn.
    public static func fanInUniform(_ shape: [Int], fanIn: Int, generator: RandomGenerator?) -> Tensor {
        let bound = 1 / Float(max(fanIn, 1)).squareRoot()
        return Tensor.randomUniform(shape, low: -bound, high: bound, generator: generator ?? defaultGenerator, requiresGrad: true)
    }
}
