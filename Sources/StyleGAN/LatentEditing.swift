import CPUKernels
import FileAccess
import Foundation
import Tensors

/// Edits in W+ — the forms the GAN-inversion ecosystem exchanges (REFERENCE §5).
public enum LatentEditing {
    /// `w + strength·direction` for W+ latents [B, n, D]. The direction may be
    /// InterFaceGAN's `[1, D]` or `[D]` (every row moves), a W+ direction `[n, D]` or `[1, n, D]`,
    /// or a flattened `[1, n·D]` one.
    public static func apply(_ direction: Tensor, to latents: Tensor, strength: Float) throws -> Tensor {
        try latents + normalizedDirection(direction, rows: latents.shape[1], dimension: latents.shape[2]) * strength
    }

    /// The direction as `[1, D]` or `[n, D]`, or an error naming the shape and what fits.
    public static func normalizedDirection(_ direction: Tensor, rows n: Int, dimension d: Int) throws -> Tensor {
        switch direction.shape {
        case [d], [1, d], [1, 1, d]: return direction.reshape([1, d])
        case [n, d], [1, n, d], [1, n * d], [n * d]: return direction.reshape([n, d])
        default:
            throw EditError("direction of shape \(direction.shape) fits neither [1, \(d)], [\(n), \(d)] nor [1, \(n * d)]")
        }
    }

    /// Linear interpolation `(1 − t)·a + t·b`.
    public static func interpolate(_ a: Tensor, _ b: Tensor, t: Float) -> Tensor { a * (1 - t) + b * t }
}

/// A direction or edit request that does not fit the latents.
public struct EditError: ContextualError {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// GANSpace principal components of W (`{mean [1, D], comp [K, 1, D], std [K]}`), used as
/// (component, first layer, end layer, strength) the way e4e and StylePrompter do: the latent's
/// coordinate along the component (from its first row) is moved to `strength` standard
/// deviations, on W+ rows `firstLayer..<endLayer`.
public struct GANSpacePCA {
    public let mean: Tensor        // [1, D]
    public let components: Tensor  // [K, D]
    public let standardDeviations: Tensor  // [K]

    public init(mean: Tensor, components: Tensor, standardDeviations: Tensor) throws {
        let d = mean.count
        guard d > 0, components.count > 0 else {
            throw EditError("GANSpace: empty mean \(mean.shape) or components \(components.shape)")
        }
        for (name, tensor) in [("mean", mean), ("comp", components), ("std", standardDeviations)]
            where !tensor.allFinite {
            throw EditError("GANSpace: '\(name)' holds NaN or infinite values")
        }
        guard components.count % d == 0 else {
            throw EditError("GANSpace: components of shape \(components.shape) do not match a mean of \(d)")
        }
        let k = components.count / d
        guard standardDeviations.count == k else {
            throw EditError("GANSpace: \(standardDeviations.count) standard deviations for \(k) components")
        }
        self.mean = mean.reshape([1, d])
        self.components = components.reshape([k, d])
        self.standardDeviations = standardDeviations.reshape([k])
    }

    /// Component `k` scaled by its standard deviation, [1, D]: added with `LatentEditing.apply`,
    /// strength s moves every W+ row by s standard deviations along the component — a relative
    /// edit (0 leaves the latent as it is), where `edit` sets the coordinate absolutely.
    public func direction(component k: Int) throws -> Tensor {
        guard k >= 0 && k < components.shape[0] else {
            throw EditError("GANSpace: component \(k) outside 0..<\(components.shape[0])")
        }
        return components.narrow(0, start: k, length: 1) * standardDeviations.scalars[k]
    }

    /// The edited latents [B, n, D].
    public func edit(_ latents: Tensor, component: Int, layers: Range<Int>, strength: Float) throws -> Tensor {
        let (b, n, d) = (latents.shape[0], latents.shape[1], latents.shape[2])
        guard component >= 0 && component < components.shape[0] else {
            throw EditError("GANSpace: component \(component) outside 0..<\(components.shape[0])")
        }
        guard layers.lowerBound >= 0 && layers.upperBound <= n && !layers.isEmpty else {
            throw EditError("GANSpace: layers \(layers.lowerBound)-\(layers.upperBound) outside the \(n) W+ rows")
        }
        guard d == mean.count else { throw EditError("GANSpace: PCA of dimension \(mean.count) for latents of \(d)") }
        let comp = components.narrow(0, start: component, length: 1)            // [1, D]
        let std = standardDeviations.scalars[component]
        var edited: [Tensor] = []
        for i in 0..<b {
            let latent = latents.narrow(0, start: i, length: 1).reshape([n, d])
            let firstRow = latent.narrow(0, start: 0, length: 1) - mean
            let coordinate = (firstRow * comp).sum().item() / std
            let delta = comp * ((strength - coordinate) * std)                   // [1, D]
            let mask = Tensor(shape: [n, 1], scalars: (0..<n).map { layers.contains($0) ? 1 : 0 })
            edited.append(latent + mask * delta)
        }
        return Tensor.stack(edited, axis: 0)
    }
}

/// SeFa (closed-form factorisation): directions are the top eigenvectors of `WᵀW`, W the
/// stacked style-modulation weights of the chosen layers. By default the layers rosinality's
/// `closed_form_factorization.py` takes: every modulation weight whose key does not contain
/// `to_rgbs` (so `conv1`, `to_rgb1` and every `convs.N`).
public enum SeFa {
    /// The top `count` directions [count, D] (unit length, sign arbitrary as with any SVD) and
    /// their eigenvalues. `convolutions` restricts W to `convs[i]` for the given indices.
    public static func directions(of generator: Generator, convolutions: [Int]? = nil, count: Int) throws -> (directions: Tensor, eigenvalues: [Float]) {
        let modulation = generator.namedParameters().filter { $0.key.contains("modulation") && $0.key.hasSuffix("weight") }
        let weights: [Tensor]
        if let convolutions {
            weights = try convolutions.map { i in
                guard let w = modulation.first(where: { $0.key == "convs.\(i).conv.modulation.weight" }) else {
                    throw EditError("SeFa: the generator has no styled convolution convs.\(i) (it has \(generator.convs.count))")
                }
                return w.tensor
            }
        } else {
            weights = modulation.filter { !$0.key.contains("to_rgbs") }.map(\.tensor)
        }
        let stacked = GradientMode.withoutGradients { Tensor.concat(weights, axis: 0) }     // [ΣCin, D]
        let d = stacked.shape[1]
        // WᵀW [D, D] (the released SeFa's `weight.T @ weight`), symmetrised for the eigensolver.
        let product = GradientMode.withoutGradients { Tensor.matmul(stacked, stacked, transposeA: true) }.scalars
        var gram = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { gram[i * d + j] = (Double(product[i * d + j]) + Double(product[j * d + i])) / 2 } }
        let (values, vectors) = SymmetricEigen.decompose(gram, size: d)
        let k = min(count, d)
        let directions = Tensor(shape: [k, d], scalars: vectors.prefix(k).flatMap { $0.map(Float.init) })
        return (directions, values.prefix(k).map(Float.init))
    }
}

extension LatentEditing {
    /// The direction as W+ `[n, D]` that moves only rows `rows` (zero elsewhere): a layer-restricted
    /// edit, as GANSpace's and StyleSpace's edits limit a change to the layers that carry it.
    public static func restricted(_ direction: Tensor, to rows: Range<Int>, rows n: Int, dimension d: Int) throws -> Tensor {
        guard !rows.isEmpty, rows.lowerBound >= 0, rows.upperBound <= n else {
            throw EditError("rows \(rows.lowerBound)..<\(rows.upperBound) do not lie within the \(n) W+ rows")
        }
        let full = try normalizedDirection(direction, rows: n, dimension: d)
        let values = full.scalars
        var scalars = [Float](repeating: 0, count: n * d)
        for row in rows {
            let source = full.shape[0] == 1 ? 0 : row
            for column in 0..<d { scalars[row * d + column] = values[source * d + column] }
        }
        return Tensor(shape: [n, d], scalars: scalars)
    }
}
