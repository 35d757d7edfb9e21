import Tensors

/// Inverted dropout while training; the identity in evaluation mode.
public final class Dropout: Layer {
    public let probability: Float
    /// Where the masks come from; a trainer may point it at its own stream
    /// (`Module.drawRandomMasks(from:)`) so that training replays from a seed.
    public var generator: RandomGenerator
    /// This process's part of a data-parallel batch (masks are drawn for the global batch).
    public var shard: BatchShard = .whole

    public init(_ probability: Float, generator: RandomGenerator? = nil) {
        self.probability = probability
        self.generator = generator ?? Initialization.defaultGenerator
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        training ? input.dropout(probability: probability, generator: generator, shard: shard) : input
    }
}

/// Stochastic depth (per-sample residual dropout) while training; identity in evaluation mode.
public final class DropPath: Layer {
    public let probability: Float
    /// Where the masks come from; a trainer may point it at its own stream
    /// (`Module.drawRandomMasks(from:)`) so that training replays from a seed.
    public var generator: RandomGenerator
    /// This process's part of a data-parallel batch (masks are drawn for the global batch).
    public var shard: BatchShard = .whole

    public init(_ probability: Float, generator: RandomGenerator? = nil) {
        self.probability = probability
        self.generator = generator ?? Initialization.defaultGenerator
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        training ? input.dropPath(probability: probability, generator: generator, shard: shard) : input
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
    ///
    /// With `shard`, this process trains on one part of a data-parallel batch: the masks are
    /// drawn for the global batch and the process keeps its rows (`BatchShard`).
    public func drawRandomMasks(from generator: RandomGenerator, shard: BatchShard = .whole) {
        if let dropout = self as? Dropout { dropout.generator = generator; dropout.shard = shard }
        if let dropPath = self as? DropPath { dropPath.generator = generator; dropPath.shard = shard }
        for (_, child) in namedChildren() { child.drawRandomMasks(from: generator, shard: shard) }
    }
}
