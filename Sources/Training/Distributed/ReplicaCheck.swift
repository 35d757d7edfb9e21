import Foundation
import MessagePassing
import Tensors

/// Proof that data-parallel replicas are still identical: a 64-bit digest (FNV-1a over the
/// bits) of a whole training state — weights, optimiser moments, random streams, counters —
/// compared across ranks at every checkpoint. Replicas that drifted apart end the run with the
/// step and the ranks named, rather than training on silently.
public enum ReplicaCheck {
    /// The digest of `state`, independent of dictionary order.
    public static func digest(_ state: TrainingState) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        for key in state.tensors.keys.sorted() {
            for byte in key.utf8 { mix(byte) }
            let tensor = state.tensors[key]!
            let words = UnsafeRawBufferPointer(start: tensor.readData, count: tensor.count * 4)
            for byte in words { mix(byte) }
        }
        for key in state.values.keys.sorted() {
            for byte in key.utf8 { mix(byte) }
            for byte in state.values[key]!.utf8 { mix(byte) }
        }
        return hash
    }

    /// Compares this rank's digest of `state` with every other rank's; throws naming the ranks
    /// that differ from rank 0. Returns the common digest.
    @discardableResult
    public static func verify(_ state: TrainingState, communicator: any Communicator) throws -> UInt64 {
        let mine = digest(state)
        let all = communicator.allGather(mine)
        let differing = all.indices.filter { all[$0] != all[0] }
        guard differing.isEmpty else {
            throw TrainingError.run("data-parallel replicas diverged at step \(state.step): rank\(differing.count == 1 ? "" : "s") \(differing.map(String.init).joined(separator: ", ")) differ from rank 0 (digests \(all.map { String($0, radix: 16) }.joined(separator: ", ")))")
        }
        return mine
    }
}
