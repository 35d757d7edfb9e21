import MessagePassing
import Tensors

/// How one rank of a data-parallel run takes part: its `BatchShard`, and where its samples
/// lie in the run's single sequence of sample positions.
///
/// A step of global batch B (B = `block` × micro-batches with gradient accumulation) reads
/// the positions `[s·B, (s+1)·B)` one process would read; each block of `block` positions is
/// split into `count` equal parts and rank r reads part r of every block. So the union of the
/// ranks' batches is the single-process batch, sample for sample, and a checkpoint's position
/// is the same number whatever the number of ranks: a run resumes on any rank count.
///
/// ```swift
/// let plan = DataParallelPlan(shard: BatchShard(index: 1, count: 2), block: 8)
/// plan.globalPosition(ofLocal: 0)    // 4: rank 1 starts at the second half of the first block
/// ```
public struct DataParallelPlan: Sendable, Equatable {
    public let shard: BatchShard
    /// Global positions per micro-batch (the configured batch size).
    public let block: Int

    public init(shard: BatchShard, block: Int) {
        precondition(block >= 1 && block % shard.count == 0, "DataParallelPlan: a block of \(block) does not split over \(shard.count) ranks")
        self.shard = shard
        self.block = block
    }

    /// One process: local positions are global ones.
    public static func single(block: Int) -> DataParallelPlan { DataParallelPlan(shard: .whole, block: block) }

    /// Samples this rank reads per block.
    public var localBlock: Int { block / shard.count }

    /// The global position of this rank's local position `local`.
    public func globalPosition(ofLocal local: Int) -> Int {
        guard shard.count > 1 else { return local }
        return (local / localBlock) * block + shard.index * localBlock + local % localBlock
    }

    /// Where this rank starts reading to continue from global position `global` (a saved
    /// checkpoint's): the same position for one process, else the start of the next whole block.
    public func localStart(forGlobal global: Int) -> Int {
        guard shard.count > 1 else { return global }
        return (global + block - 1) / block * localBlock
    }

    /// The global position to save after every rank read up to its local `furthest` (the
    /// maximum over ranks): the next whole block after it, so no rank rereads a sample.
    public func globalPosition(afterLocal furthest: Int) -> Int {
        guard shard.count > 1 else { return furthest }
        return (furthest + localBlock - 1) / localBlock * block
    }
}
