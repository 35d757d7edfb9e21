import Tensors

/// Inverted dropout while training; the identity in evaluation mode.
public final class Dropout: Layer {
    public let probability: Float
    /// Where the masks come from; a trainer may point it at its own stream
    /// (`Module.drawRandomMasks(from:)`) so that training replays from a seed.
    public var generator: RandomGenerator

    public init(_ probability: Float, generator: RandomGenerator? = nil) {
        self.probability = probability
        self.generator = generator ?? Initialization.defaultGenerator
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        training ? input.dropout(probability: probability, generator: generator) : input
    }
}

/// Stochastic depth (per-sample residual dropout) while training; identity in evaluation mode.
public final class DropPath: Layer {
    public let probability: Float
    /// Where the masks come from; a trainer may point it at its own stream
    /// (`Module.drawRandomMasks(from:)`) so that training replays from a seed.
    public var generator: RandomGenerator

    public init(_ probability: Float, generator: RandomGenerator? = nil) {
        self.probability = probability
        self.generator = generator ?? Initialization.defaultGenerator
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        training ? input.dropPath(probability: probability, generator: generator) : input
    }
}

extension Module {
    /// Points every `Dropout` and `DropPath` at or below this module at `generator`: layers made
    /// without one draw from the shared `Initialization.defaultGenerator`, whose state depends
    /// on whatever else ran; a trainer gives them its own seeded stream instead.
    ///
    /// ```swift
    /// model.drawRandomMasks(from: RandomGenerator(seed: 7))
    /// ```
    public func drawRandomMasks(from generator: RandomGenerator) {
        if let dropout = self as? Dropout { dropout.generator = generator }
        if let dropPath = self as? DropPath { dropPath.generator = generator }
        for (_, child) in namedChildren() { child.drawRandomMasks(from: generator) }
    }
}
