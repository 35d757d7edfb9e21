import CPUKernels
import Tensors

/// The check a model loader gives its weights: NaN or ±∞ anywhere is refused before the model
/// runs, so a corrupted checkpoint fails in one line naming its first bad key instead of writing
/// black images.
public enum FiniteWeights {
    /// Throws a `.malformed` error naming `what` and the first key (in key order) whose tensor
    /// holds NaN or ±∞. The tensors are scanned on every core.
    public static func require(_ weights: [String: Tensor], file: String, what: String) throws {
        let keys = weights.keys.sorted()
        var finite = [Bool](repeating: true, count: keys.count)
        finite.withUnsafeMutableBufferPointer { slots in
            let results = SharedPointer(slots.baseAddress!)    // each index written by one thread only
            Parallel.forEach(count: keys.count) { index in results[index] = weights[keys[index]]!.allFinite }
        }
        if let bad = finite.firstIndex(of: false) {
            throw CheckpointError(.malformed, file: file, "\(what) '\(CheckpointText.printable(keys[bad], limit: 60))' holds NaN or infinite values")
        }
    }
}
