import Checkpoints
import Foundation
import Tensors

/// An edit loaded from one of the ecosystem's direction files.
public enum EditDirection {
    /// Added to W+ as `w + α·d`: InterFaceGAN `[1, D]`, W+ `[n, D]` or flattened `[1, n·D]` (kept as stored).
    case vector(Tensor)
    /// GANSpace principal components, used with (component, layers, strength).
    case ganspace(GANSpacePCA)

    /// Reads `.pt` (zip or legacy, CUDA-saved included), `.npy` or `.safetensors` direction files.
    public static func load(contentsOf url: URL) throws -> EditDirection {
        let contents = try CheckpointFile.load(contentsOf: url)
        let file = url.lastPathComponent
        let tensors = contents.tensors
        if let mean = tensors["mean"], let comp = tensors["comp"], let std = tensors["std"] {
            do {
                return .ganspace(try GANSpacePCA(mean: Tensor(mean), components: Tensor(comp), standardDeviations: Tensor(std)))
            } catch let error as EditError {
                throw CheckpointError(.malformed, file: file, error.description)
            }
        }
        guard tensors.count == 1, let only = tensors.entries.first?.tensor else {
            throw CheckpointError(.malformed, file: file,
                                  "not a direction: expected one tensor or a GANSpace {mean, comp, std}, found \(tensors.keys.prefix(6).joined(separator: ", "))")
        }
        let direction = try Tensor(only)
        guard direction.count > 0 else {
            throw CheckpointError(.malformed, file: file, "the direction of shape \(direction.shape) is empty")
        }
        guard direction.allFinite else {
            throw CheckpointError(.malformed, file: file, "the direction holds NaN or infinite values")
        }
        return .vector(direction)
    }
}
