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
        try readNamed(url, shape: (configuration.latentCount, configuration.styleDimension))
    }

    /// The same without a generator (for `directions`): the row count n and width D are taken
    /// from the file — a single tensor's [N, n, D] or [N, D] (n = 1), or a dictionary's first
    /// value — and every other value must agree.
    public static func readNamed(_ url: URL) throws -> (latents: Tensor, names: [String]?) {
        let contents = try CheckpointFile.load(contentsOf: url)
        guard let first = contents.tensors.entries.first?.tensor else {
            throw CheckpointError(.malformed, file: url.lastPathComponent, "no latent codes in the file")
        }
        let shape = first.shape
        let inferred: (Int, Int)
        if isSingleTensor(contents) {
            inferred = shape.count == 3 ? (shape[1], shape[2]) : (1, shape.last ?? 0)
        } else {
            inferred = shape.count >= 2 ? (shape[shape.count - 2], shape[shape.count - 1]) : (1, shape.last ?? 0)
        }
        return try readNamed(url, shape: inferred, contents: contents)
    }

    static func isSingleTensor(_ contents: CheckpointContents) -> Bool {
        switch contents.root {
        case nil, .some(.tensor), .some(.storage): true
        default: false
        }
    }

    static func readNamed(_ url: URL, shape: (Int, Int), contents loaded: CheckpointContents? = nil) throws -> (latents: Tensor, names: [String]?) {
        let contents = try loaded ?? CheckpointFile.load(contentsOf: url)
        let file = url.lastPathComponent
        let (n, d) = shape
        guard n >= 1, d >= 1 else {
            throw CheckpointError(.malformed, file: file, "latents of \(n) rows of width \(d): expected at least one of each")
        }
        let isSingleTensor = isSingleTensor(contents)
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
            guard latents.allFinite else {
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
        guard latents.allFinite else {
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
