import Perceptual
import Tensors

/// The attribute predictor's perceptual distance as a loss term: images are average-pooled to
/// the size the predictor was trained at, then compared in its channel-normalised features.
///
/// ```swift
/// let (predictor, size) = try AttributePredictor.load(contentsOf: url)
/// objective.attributes = AttributeDistance(predictor: predictor, imageSize: size)
/// ```
public struct AttributeDistance {
    public let predictor: AttributePredictor
    public let imageSize: Int

    public init(predictor: AttributePredictor, imageSize: Int) {
        predictor.setRequiresGradient(false)
        predictor.eval()
        self.predictor = predictor
        self.imageSize = imageSize
    }

    /// Scalar distance, differentiable with respect to `x`.
    public func distance(_ x: Tensor, _ y: Tensor) -> Tensor {
        predictor.perceptualDistance(AttributePredictor.pooled(x, to: imageSize), AttributePredictor.pooled(y.detached(), to: imageSize))
    }
}
