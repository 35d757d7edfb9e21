import DefaultModel
import Foundation
import Imaging
import Inversion
import StyleGAN
import Tensors

/// An edit of W+ latents, applied the same way whatever its kind: `apply(to:strength:generator:)`
/// returns the edited latents, strength 0 leaving them as they are.
///
/// ```swift
/// let smile = try Edit.load(contentsOf: DefaultModel.direction("smile")!)
/// let edited = try smile.apply(to: latents, strength: 10, generator: model.generator)
/// ```
public enum Edit {
    /// `w + s·d`: an InterFaceGAN `[1, D]`, W+ `[n, D]` or flattened `[1, n·D]` direction.
    case direction(Tensor)
    /// GANSpace: component `component` moved by s standard deviations on W+ rows `layers`.
    case ganspace(GANSpacePCA, component: Int, layers: Range<Int>)
    /// SeFa: the generator's `index`-th closed-form direction (0 = strongest), `w + s·d`.
    case sefa(index: Int)
    /// `(1 − s)·w + s·target`: towards another face's latents [1, n, D] (s = 1 reaches it).
    case interpolate(to: Tensor)
    /// Style mixing: W+ rows `layers` moved towards another face's rows by s (1 = replaced).
    case styleMix(Tensor, layers: Range<Int>)

    /// A direction file (`.pt`, `.npy`, `.safetensors`): a vector direction, or a GANSpace PCA
    /// file with its component and layer range given.
    public static func load(contentsOf url: URL, component: Int = 0, layers: Range<Int>? = nil) throws -> Edit {
        switch try EditDirection.load(contentsOf: url) {
        case .vector(let direction): return .direction(direction)
        case .ganspace(let pca): return .ganspace(pca, component: component, layers: layers ?? 0..<Int.max)
        }
    }

    /// The same edit with everything that depends only on `generator` worked out once: SeFa
    /// becomes its direction (an eigen-decomposition), so applying it to many photos and
    /// strengths does not repeat it. Other edits are returned as they are.
    public func resolved(for generator: Generator) throws -> Edit {
        guard case .sefa(let index) = self else { return self }
        guard index >= 0, index < generator.configuration.styleDimension else {
            throw EditError("the generator has only \(generator.configuration.styleDimension) directions")
        }
        let directions = try SeFa.directions(of: generator, count: index + 1).directions
        guard directions.shape[0] > index else { throw EditError("the generator has only \(directions.shape[0]) directions") }
        return .direction(directions.narrow(0, start: index, length: 1))
    }

    public func apply(to latents: Tensor, strength: Float, generator: Generator) throws -> Tensor {
        guard strength.isFinite else { throw EditError("edit strength \(strength) is not finite") }
        guard latents.rank == 3 else { throw EditError("latents of shape \(latents.shape), expected [B, n, D]") }
        let rows = latents.shape[1]
        switch self {
        case .direction(let direction):
            return try LatentEditing.apply(direction, to: latents, strength: strength)
        case .ganspace(let pca, let component, let layers):
            // `load`'s "every row" (…<Int.max) is clipped to the latents; a range given is checked.
            let rows = layers.upperBound == Int.max ? max(0, layers.lowerBound)..<rows : layers
            return try pca.edit(latents, component: component, layers: rows, strength: strength)
        case .sefa:
            return try resolved(for: generator).apply(to: latents, strength: strength, generator: generator)
        case .interpolate(let target):
            guard target.count == latents.count / latents.shape[0] || target.shape == latents.shape else {
                throw EditError("interpolation target of shape \(target.shape) does not match latents \(latents.shape)")
            }
            let broadcast = target.shape == latents.shape ? target : target.reshape([1] + Array(latents.shape.dropFirst())).broadcast(to: latents.shape)
            return LatentEditing.interpolate(latents, broadcast, t: strength)
        case .styleMix(let other, let layers):
            guard other.count == latents.count / latents.shape[0] || other.shape == latents.shape else {
                throw EditError("style-mixing latents of shape \(other.shape) do not match \(latents.shape)")
            }
            guard layers.lowerBound >= 0, layers.upperBound <= rows, !layers.isEmpty else {
                throw EditError("style-mixing rows \(layers) outside 0..<\(rows)")
            }
            let source = other.shape == latents.shape ? other : other.reshape([1] + Array(latents.shape.dropFirst())).broadcast(to: latents.shape)
            var mask = [Float](repeating: 0, count: rows)
            for row in layers { mask[row] = strength }
            let weight = Tensor(shape: [1, rows, 1], scalars: mask)
            return latents + (source - latents) * weight
        }
    }
}
