extension Tensor {
    /// Zeroes each element with probability `probability` and scales the rest by
    /// `1/(1 − probability)` (inverted dropout), drawing from `generator` — for the global
    /// batch when `shard` is one process's part of it (axis 0 is the batch, samples contiguous).
    public func dropout(probability: Float, generator: RandomGenerator, shard: BatchShard = .whole) -> Tensor {
        precondition(probability >= 0 && probability < 1, "dropout: probability \(probability) outside [0, 1)")
        if probability == 0 { return self }
        let keep = 1 - probability
        let mask = shard.randomUniform(shape, generator: generator)
        for i in 0..<count { mask.data[i] = mask.data[i] < keep ? 1 / keep : 0 }
        return self * mask
    }

    /// Stochastic depth: zeroes whole samples (axis 0) with probability `probability`, scaling
    /// kept samples by `1/(1 − probability)` (timm's `drop_path`).
    /// `shard` as for `dropout`.
    public func dropPath(probability: Float, generator: RandomGenerator, shard: BatchShard = .whole) -> Tensor {
        precondition(probability >= 0 && probability < 1, "dropPath: probability \(probability) outside [0, 1)")
        if probability == 0 { return self }
        let keep = 1 - probability
        let maskShape = [shape[0]] + [Int](repeating: 1, count: rank - 1)
        let mask = shard.randomUniform(maskShape, generator: generator)
        for i in 0..<shape[0] { mask.data[i] = mask.data[i] < keep ? 1 / keep : 0 }
        return self * mask
    }
}
