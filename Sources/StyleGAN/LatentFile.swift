import Checkpoints
import Foundation
import Tensors

/// Latent codes exchanged with the ecosystem's tools: `.npy` or `.pt`, N×n_latent×D (W+) or N×D (w).
public enum LatentFile {
    /// Reads latents as W+ [N, n, D] for a generator of `configuration` (w rows are repeated).
    ///
    /// Besides one tensor (`.npy`, `.pt`: [N, n, D] or [N, D]) it reads the dictionaries e4e and
    /// ReStyle save, `{image_name: latents}` (a `.pt` dict, or a pickled dict in a `.npy`): each
    /// value [n, D] (or [D]), or [iterations, n, D] of which the last iteration is taken; the
    /// images come in the dictionary's order.
    public static func read(_ url: URL, configuration: GeneratorConfiguration) throws -> Tensor {
        try readNamed(url, configuration: configuration).latents
    }

    /// The same, with the dictionary's keys as names (nil for a single tensor).
    public static func readNamed(_ url: URL, configuration: GeneratorConfiguration) throws -> (latents: Tensor, names: [String]?) {
        let contents = try CheckpointFile.load(contentsOf: url)
        let file = url.lastPathComponent
        let (n, d) = (configuration.latentCount, configuration.styleDimension)
        let isSingleTensor: Bool
        switch contents.root {
        case nil, .some(.tensor), .some(.storage): isSingleTensor = true
        default: isSingleTensor = false
        }
        if !isSingleTensor && contents.tensors.count >= 1 {
            let codes = try contents.tensors.entries.map { entry -> Tensor in
                var latent = try Tensor(entry.tensor)
                if latent.rank == 3 && latent.shape[0] >= 1 { latent = latent.narrow(0, start: latent.shape[0] - 1, length: 1).squeeze(0) }  // ReStyle: last iteration
                if latent.rank == 1 && latent.shape[0] == d { latent = latent.unsqueeze(0).broadcast(to: [n, d]) }
                guard latent.rank == 2, latent.shape[0] == n || latent.shape[0] == 1, latent.shape[1] == d, latent.shape.allSatisfy({ $0 >= 1 }) else {
                    throw CheckpointError(.malformed, file: file, "'\(entry.key)': latents of shape \(entry.tensor.shape), expected [\(n), \(d)], [iterations, \(n), \(d)] or [\(d)] per image")
                }
                if latent.shape[0] == 1 { latent = latent.broadcast(to: [n, d]) }
                return latent.unsqueeze(0)
            }
            let latents = Tensor.concat(codes, axis: 0)
            guard latents.scalars.allSatisfy(\.isFinite) else {
                throw CheckpointError(.malformed, file: file, "latents hold NaN or infinite values")
            }
            return (latents, contents.tensors.keys)
        }
        guard contents.tensors.count == 1, let stored = contents.tensors.entries.first?.tensor else {
            throw CheckpointError(.malformed, file: file, "expected one latent tensor, found \(contents.tensors.count): \(contents.tensors.keys.prefix(4).joined(separator: ", "))")
        }
        let latents = try Tensor(stored)
        guard latents.rank >= 2, latents.shape[0] >= 1 else {
            throw CheckpointError(.malformed, file: file, "latents of shape \(latents.shape): no latent codes, expected [N, \(n), \(d)] or [N, \(d)] with N ≥ 1")
        }
        guard latents.scalars.allSatisfy(\.isFinite) else {
            throw CheckpointError(.malformed, file: file, "latents hold NaN or infinite values")
        }
        switch latents.shape.count {
        case 3 where latents.shape[1] == n && latents.shape[2] == d: return (latents, nil)
        case 2 where latents.shape[1] == d: return (latents.unsqueeze(1).broadcast(to: [latents.shape[0], n, d]), nil)
        default:
            throw CheckpointError(.malformed, file: file, "latents of shape \(latents.shape), expected [N, \(n), \(d)] or [N, \(d)]")
        }
    }

    /// Writes W+ [N, n, D] as float32 `.npy` (atomically), the e4e/ReStyle exchange format.
    public static func write(_ latents: Tensor, to url: URL) throws {
        try NumpyFile.write(StoredTensor(latents), to: url)
    }
}
