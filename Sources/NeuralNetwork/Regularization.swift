import Tensors

/// Inverted dropout while training; the identity in evaluation mode.
public final class Dropout: Layer {
    public let probability: Float
    let generator: RandomGenerator

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
    let generator: RandomGenerator

    public init(_ probability: Float, generator: RandomGenerator? = nil) {
        self.probability = probability
        self.generator = generator ?? Initialization.defaultGenerator
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        training ? input.dropPath(probability: probability, generator: generator) : input
    }
}
