import Foundation
import NeuralNetwork
import Tensors

/// pSp's / StylePrompter's ID loss and the ID-similarity metric (`criteria/id_loss.py`), on an
/// ArcFace `IRSEBackbone`.
///
/// - Single-layer (stage 1, and the metric): crop rows 35..<223, columns 32..<220 of the 256×256
///   image (the face; scaled proportionally for other sizes), adaptive-average-pool to 112×112,
///   embed; loss `mean_N(1 − cos(ŷ, y))` with `y`'s embedding detached.
/// - Multi-layer (StylePrompter stage 2, `--multi_id True`): NO crop — the whole image is pooled
///   to 112×112; the outputs of body units 2, 6, 20, 23 and the embedding are compared, each
///   flattened: loss `Σ_layers mean_N(1 − cos(y_l, ŷ_l))`.
///
/// Cosines are those of `torch.nn.CosineEmbeddingLoss` (target 1):
/// `Σab / √((Σa² + 1e-12)(Σb² + 1e-12))`.
///
/// ```swift
/// let id = IdentityLoss(facenet: try IRSEBackbone.load(contentsOf: irse50URL))
/// let loss = id(generated, target)                       // stage 1, ×0.1
/// let multi = id(generated, target, multiLayer: true)    // stage 2
/// let similarity = id.similarity(generated, target)      // [N] metric
/// ```
public final class IdentityLoss {
    public let facenet: IRSEBackbone

    /// pSp's crop of a 256×256 aligned face: rows 35..<223, columns 32..<220.
    public static let cropRows = 35..<223
    public static let cropColumns = 32..<220
    static let cosineEpsilon: Float = 1e-12

    public init(facenet: IRSEBackbone) {
        self.facenet = facenet
    }

    /// `extract_feats(x)`: the embedding `[N, E]` of the face crop of `images [N, 3, H, W]`.
    public func embedding(_ images: Tensor) -> Tensor {
        facenet(pooled(Self.faceCrop(images)))
    }

    /// `extract_feats(x, multi=True)`: the tapped unit outputs and then the embedding, of the
    /// whole image pooled to the network's input size.
    public func multiLayerFeatures(_ images: Tensor) -> [Tensor] {
        let (embedding, features) = facenet.forward(pooled(images), returnFeatures: true)
        return features + [embedding]
    }

    /// The ID loss of `generated` against `target` (whose features are detached). Differentiable
    /// with respect to `generated`.
    public func callAsFunction(_ generated: Tensor, _ target: Tensor, multiLayer: Bool = false) -> Tensor {
        if !multiLayer {
            return (1 - Self.cosine(embedding(generated), embedding(target).detached())).mean()
        }
        let generatedFeatures = multiLayerFeatures(generated)
        let targetFeatures = multiLayerFeatures(target)
        var total: Tensor?
        for (a, b) in zip(targetFeatures, generatedFeatures) {
            let term = (1 - Self.cosine(a.detached(), b)).mean()
            total = total.map { $0 + term } ?? term
        }
        return total!
    }

    /// The cosine similarity of the two images' embeddings, `[N]` (the ID metric).
    public func similarity(_ a: Tensor, _ b: Tensor) -> Tensor {
        Self.cosine(embedding(a), embedding(b))
    }

    /// Row-wise cosine of two `[N, …]` tensors (flattened per row), as CosineEmbeddingLoss.
    public static func cosine(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "cosine: shapes \(a.shape) and \(b.shape) differ")
        let n = a.shape[0]
        let x = a.reshape([n, a.count / n]), y = b.reshape([n, b.count / n])
        let dot = (x * y).sum(axis: 1)
        let squares = ((x * x).sum(axis: 1) + cosineEpsilon) * ((y * y).sum(axis: 1) + cosineEpsilon)
        return dot / squares.sqrt()
    }

    /// `images[:, :, 35:223, 32:220]` for 256×256 input (the same fractions of other sizes).
    public static func faceCrop(_ images: Tensor) -> Tensor {
        precondition(images.rank == 4, "faceCrop: input \(images.shape) is not NCHW")
        let h = images.shape[2], w = images.shape[3]
        return images
            .slice(2, start: cropRows.lowerBound * h / 256, end: cropRows.upperBound * h / 256)
            .slice(3, start: cropColumns.lowerBound * w / 256, end: cropColumns.upperBound * w / 256)
    }

    private func pooled(_ images: Tensor) -> Tensor {
        let side = facenet.configuration.inputSize
        return images.adaptiveAveragePool2d(outputHeight: side, outputWidth: side)
    }
}
