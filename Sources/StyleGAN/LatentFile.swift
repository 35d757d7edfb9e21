import Checkpoints
import Foundation
import Tensors

/// Latent codes exchanged with the ecosystem's tools: `.npy` or `.pt`, N×n_latent×D (W+) or N×D (w).
public enum LatentFile {
    /// Reads latents as W+ [N, n, D] for a generator of `configuration` (w rows are repeated).
    public static func read(_ url: URL, configuration: GeneratorConfiguration) throws -> Tensor {
        let contents = try CheckpointFile.load(contentsOf: url)
        let file = url.lastPathComponent
        guard contents.tensors.count == 1, let stored = contents.tensors.entries.first?.tensor else {
            throw CheckpointError(.malformed, file: file, "expected one latent tensor, found \(contents.tensors.count): \(contents.tensors.keys.prefix(4).joined(separator: ", "))")
        }
        let latents = try Tensor(stored)
        let (n, d) = (configuration.latentCount, configuration.styleDimension)
        guard latents.rank >= 2, latents.shape[0] >= 1 else {
            throw CheckpointError(.malformed, file: file, "latents of shape \(latents.shape): no latent codes, expected [N, \(n), \(d)] or [N, \(d)] with N ≥ 1")
        }
        guard latents.scalars.allSatisfy(\.isFinite) else {
            throw CheckpointError(.malformed, file: file, "latents hold NaN or infinite values")
        }
        switch latents.shape.count {
        case 3 where latents.shape[1] == n && latents.shape[2] == d: return latents
        case 2 where latents.shape[1] == d: return latents.unsqueeze(1).broadcast(to: [latents.shape[0], n, d])
        default:
            throw CheckpointError(.malformed, file: file, "latents of shape \(latents.shape), expected [N, \(n), \(d)] or [N, \(d)]")
        }
    }

    /// Writes W+ [N, n, D] as float32 `.npy` (atomically), the e4e/ReStyle exchange format.
    public static func write(_ latents: Tensor, to url: URL) throws {
        try NumpyFile.write(StoredTensor(latents), to: url)
    }
}
