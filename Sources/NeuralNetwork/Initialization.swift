import Tensors

/// Where layers draw their initial weights when no generator is passed, and whether they draw
/// at all: a model about to be overwritten by a checkpoint is built inside `withoutDrawing`, so
/// the 30 M normal draws of a 1024-px generator (Box–Muller: a `log` and a `cos` each, ~0.4 s)
/// are not spent on values that `load(stateDictionary:)` replaces a moment later.
public enum Initialization {
    /// Shared generator for default initialisation; reseed it for reproducible models. It is not
    /// synchronised: code that builds models on several threads at once should pass its own
    /// generator (every layer takes one).
    nonisolated(unsafe) public static var defaultGenerator = RandomGenerator(seed: 0)

    /// False inside `withoutDrawing`: initialisers then return placeholders and leave generators untouched.
    @TaskLocal public static var drawsWeights = true

    /// Runs `body` (which builds modules) with every initialiser returning an uninitialised
    /// placeholder instead of random values — not even zeros: a 1024-px generator's 120 MB of
    /// zeros cost a page fault per 4 KiB, for values the load replaces. Only for modules whose
    /// every parameter and buffer is then loaded strictly (a strict `load(stateDictionary:)`
    /// refuses a dictionary that misses any of them, so no placeholder can survive into a
    /// forward pass).
    public static func withoutDrawing<T>(_ body: () throws -> T) rethrows -> T {
        try $drawsWeights.withValue(false, operation: body)
    }

    /// PyTorch's default for Linear and Conv2d (`kaiming_uniform_(a=√5)` and the matching bias):
    /// uniform in ±1/√fanIn.
    public static func fanInUniform(_ shape: [Int], fanIn: Int, generator: RandomGenerator?) -> Tensor {
        let bound = 1 / Float(max(fanIn, 1)).squareRoot()
        return uniform(shape, low: -bound, high: bound, generator: generator)
    }

    /// Uniform initial values in `[low, high)` (a placeholder inside `withoutDrawing`).
    public static func uniform(_ shape: [Int], low: Float, high: Float, generator: RandomGenerator?, requiresGrad: Bool = true) -> Tensor {
        guard drawsWeights else { return placeholder(shape, requiresGrad: requiresGrad) }
        return Tensor.randomUniform(shape, low: low, high: high, generator: generator ?? defaultGenerator, requiresGrad: requiresGrad)
    }

    /// Normal initial values (a placeholder inside `withoutDrawing`).
    public static func normal(_ shape: [Int], standardDeviation: Float = 1, generator: RandomGenerator?, requiresGrad: Bool = true) -> Tensor {
        guard drawsWeights else { return placeholder(shape, requiresGrad: requiresGrad) }
        return Tensor.randomNormal(shape, standardDeviation: standardDeviation, generator: generator ?? defaultGenerator, requiresGrad: requiresGrad)
    }

    /// Uninitialised values of `shape`, to be loaded (see `withoutDrawing`).
    static func placeholder(_ shape: [Int], requiresGrad: Bool) -> Tensor {
        let tensor = Tensor(uninitializedShape: shape)
        tensor.requiresGrad = requiresGrad
        return tensor
    }
}
