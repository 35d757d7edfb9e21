/// One process's share of a batch split across `count` data-parallel processes: the samples
/// `index·b ..< (index + 1)·b` of a global batch of `count·b`.
///
/// Random draws made per sample (dropout and drop-path masks, generator noise, GAN latents)
/// are drawn *for the whole global batch* from a stream every process holds identically, and
/// each process keeps its own rows. So every process's stream stays in the same state, a
/// checkpoint written by one is the state of all, and the run draws exactly what one process
/// with the global batch would — whatever the number of processes.
///
/// ```swift
/// let shard = BatchShard(index: 1, count: 2)
/// let z = shard.randomNormal([4, 512], generator: rng)   // rows 4..<8 of the [8, 512] one process draws
/// ```
public struct BatchShard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// The whole batch: one process.
    public static let whole = BatchShard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        precondition(count >= 1 && (0..<count).contains(index), "BatchShard: index \(index) of \(count)")
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    /// Standard normal samples of `shape` (axis 0 the local batch): this shard's rows of the
    /// draw of `[count · shape[0], …]`.
    public func randomNormal(_ shape: [Int], generator: RandomGenerator) -> Tensor {
        fill(shape) { generator.nextNormal() }
    }

    /// Uniform samples in [0, 1) of `shape`, sharded as `randomNormal`.
    public func randomUniform(_ shape: [Int], generator: RandomGenerator) -> Tensor {
        fill(shape) { generator.nextUniform() }
    }

    /// Draws `count` copies' worth in order, keeping copy `index` (the others' draws only advance the stream).
    private func fill(_ shape: [Int], draw: () -> Float) -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        let n = out.count
        for _ in 0..<(index * n) { _ = draw() }
        for i in 0..<n { out.data[i] = draw() }
        for _ in 0..<((count - 1 - index) * n) { _ = draw() }
        return out
    }
}
