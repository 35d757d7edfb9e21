import Foundation
import Inversion
import StyleGAN
import Tensors

/// A direction file as an edit of a given model takes it.
enum DirectionFile {
    /// The vector direction in `url`, checked against the model's W+ (one line naming the file, its
    /// shape and the model's rows × width when it fits neither form); nil for a GANSpace PCA file.
    static func vector(at url: URL, fitting model: StylePrompterModel) throws -> Tensor? {
        guard case .vector(let direction) = try EditDirection.load(contentsOf: url) else { return nil }
        let (n, d) = (model.generator.configuration.latentCount, model.generator.configuration.styleDimension)
        do { _ = try LatentEditing.normalizedDirection(direction, rows: n, dimension: d) } catch let error as EditError {
            throw CommandErrors.Failure(message: "\(url.path): \(error.description) (the model's W+ is \(n)×\(d))")
        }
        return direction
    }
}
