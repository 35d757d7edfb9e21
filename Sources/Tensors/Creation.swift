extension Tensor {
    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, value: 0, requiresGrad: requiresGrad)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, value: 1, requiresGrad: requiresGrad)
    }

    /// A tensor with every element `value`.
    public static func full(_ shape: [Int], value: Float, requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(count: elementCount(shape), repeating: value), requiresGrad: requiresGrad)
    }

    /// `[start, start + step, …]` below `end`, as a 1-D tensor.
    public static func arange(_ start: Float, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange: step must be non-zero")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor(shape: [n], scalars: (0..<n).map { start + Float($0) * step })
    }

    /// Normal samples with the given mean and standard deviation.
    public static func randomNormal(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
                                    generator: RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        for i in 0..<out.count { out.data[i] = mean + standardDeviation * generator.nextNormal() }
        out.requiresGrad = requiresGrad
        return out
    }

    /// Uniform samples in `[low, high)`.
    public static func randomUniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                                     generator: RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        for i in 0..<out.count { out.data[i] = low + (high - low) * generator.nextUniform() }
        out.requiresGrad = requiresGrad
        return out
    }

    /// Zeros shaped like `self`.
    public func zerosLike() -> Tensor { Tensor.zeros(shape) }
}
