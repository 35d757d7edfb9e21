import Foundation
import MessagePassing
import Tensors

/// A training run's part in a data-parallel job (`mpirun -np N styleprompter train … --distributed`).
/// Every rank holds the whole model and optimiser and takes the same steps; rank 0 alone writes
/// the run folder (configuration, logs, checkpoints, samples, report, exports). With one
/// process every collective is a no-op and the run is what it always was.
struct DataParallelRole {
    let communicator: any Communicator
    /// Averages the gradients (nil for one process).
    let allReduce: GradientAllReduce?

    init(communicator: any Communicator) {
        self.communicator = communicator
        allReduce = communicator.size > 1 ? GradientAllReduce(communicator: communicator) : nil
    }

    var isRoot: Bool { communicator.isRoot }
    var ranks: Int { communicator.size }
    var shard: BatchShard { BatchShard(index: communicator.rank, count: communicator.size) }

    /// Opens the run folder: rank 0 first (it creates it and removes a killed run's temporary
    /// files), the others after it, without touching anything in it.
    func openFolder(_ url: URL, creating: Bool) throws -> RunFolder {
        if isRoot {
            let folder = try RunFolder(url, creating: creating)
            communicator.barrier()
            return folder
        }
        communicator.barrier()
        return try RunFolder(url, creating: false, removingTemporaries: false)
    }

    /// Refuses a batch that does not split into equal parts over the ranks.
    func checkBatch(_ batch: Int, option: String = "--batch") throws {
        guard batch % ranks == 0 else {
            throw TrainingError.configuration("\(option) \(batch) does not split evenly over \(ranks) ranks: use a multiple of \(ranks)")
        }
    }

    /// Whether any rank was asked to stop (Ctrl-C): all ranks stop after the same step.
    func stopRequested() -> Bool {
        guard ranks > 1 else { return InterruptSignal.isRequested }
        return communicator.allReduceMax(InterruptSignal.isRequested ? 1 : 0) > 0
    }

    /// The global position to save, from this rank's loader position (collective).
    func globalPosition(plan: DataParallelPlan, localPosition: Int) -> Int {
        guard ranks > 1 else { return localPosition }
        return plan.globalPosition(afterLocal: Int(communicator.allReduceMax(UInt64(localPosition))))
    }

    /// Checks at a checkpoint that every rank holds the same state (collective); returns the
    /// digest, for the log. `best_validation_loss` is rank 0's bookkeeping, not replica state.
    func verifyReplicas(_ state: TrainingState) throws -> UInt64? {
        guard ranks > 1 else { return nil }
        var shared = state
        shared.values["best_validation_loss"] = nil
        return try ReplicaCheck.verify(shared, communicator: communicator)
    }

    /// Saves `state` as a checkpoint (rank 0 alone), after every rank has checked that it holds
    /// the same state (collective: every rank calls it at the same steps).
    func save(_ state: TrainingState, to store: TrainingCheckpointStore, folder: RunFolder) throws {
        if let digest = try verifyReplicas(state), isRoot {
            folder.log("step \(state.step): \(ranks) replicas identical (state digest \(String(digest, radix: 16)))")
        }
        if isRoot { try store.save(state) }
    }

    /// The run log's line about the all-reduce, at the end of a session.
    func summary(steps: Int, seconds: Double) -> String? {
        guard let allReduce, steps > 0 else { return nil }
        return String(format: "data-parallel: %d ranks; all-reduce %.1f MB per step, %.3f s per step (%.1f%% of %.2f s)",
                      ranks, Double(allReduce.floatsReduced) * 4 / 1e6 / Double(steps), allReduce.seconds / Double(steps),
                      100 * allReduce.seconds / max(seconds, 1e-9), seconds / Double(steps))
    }
}
