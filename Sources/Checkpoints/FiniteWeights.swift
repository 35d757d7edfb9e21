import CPUKernels
import Tensors

/// The check a model loader gives its weights: NaN or ±∞ anywhere is refused before the model
/// runs, so a corrupted checkpoint fails in one line naming its first bad key instead of writing
/// black images.
public enum FiniteWeights {
    /// Throws a `.malformed` error naming `what` and the first key (in key order) whose tensor
    /// holds NaN or ±∞. The tensors are scanned on every core, in pieces of at most 1 Mi floats:
    /// one per tensor left a thread scanning a Swin MLP's 9 MiB weight while the other had finished.
    public static func require(_ weights: [String: Tensor], file: String, what: String) throws {
        let keys = weights.keys.sorted()
        let tensors = keys.map { weights[$0]! }
        let pieceCount = 1 << 20
        var pieces: [(tensor: Int, start: Int)] = []
        for (index, tensor) in tensors.enumerated() {
            for start in stride(from: 0, to: Swift.max(tensor.count, 1), by: pieceCount) { pieces.append((index, start)) }
        }
        var finite = [Bool](repeating: true, count: pieces.count)
        finite.withUnsafeMutableBufferPointer { slots in
            let results = SharedPointer(slots.baseAddress!)    // each index written by one thread only
            Parallel.forParts(pieces.count, threads: Parallel.threadCount) { index in     // claimed as threads free up
                let (tensor, start) = pieces[index]
                let values = tensors[tensor]
                results[index] = withExtendedLifetime(values) {
                    FiniteScan.allFinite(values.readData + start, count: Swift.min(pieceCount, values.count - start))
                }
            }
        }
        if let badPiece = finite.firstIndex(of: false) {
            let bad = pieces[badPiece].tensor
            throw CheckpointError(.malformed, file: file, "\(what) '\(CheckpointText.printable(keys[bad], limit: 60))' holds NaN or infinite values")
        }
    }
}
