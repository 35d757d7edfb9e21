import Foundation
import Tensors

/// The StyleGAN2 training objectives, as rosinality's `train.py` defines them.
public enum GANLosses {
    /// Non-saturating logistic loss for D: `mean(softplus(−real)) + mean(softplus(fake))`.
    public static func discriminatorLogistic(realPrediction: Tensor, fakePrediction: Tensor) -> Tensor {
        (-realPrediction).softplus().mean() + fakePrediction.softplus().mean()
    }

    /// Non-saturating loss for G: `mean(softplus(−fake))`.
    public static func generatorNonSaturating(fakePrediction: Tensor) -> Tensor {
        (-fakePrediction).softplus().mean()
    }

    /// R1 penalty `mean_b ‖∂ΣD(x)/∂x_b‖²` on real images. `realImages` must require gradients and
    /// `realPrediction` be computed from them; the result is differentiable w.r.t. D's weights.
    public static func r1Penalty(realPrediction: Tensor, realImages: Tensor) -> Tensor {
        let gradient = gradients(of: realPrediction.sum(), withRespectTo: [realImages], retainGraph: true, createGraph: true)[0]
        return (gradient * gradient).reshape([gradient.shape[0], -1]).sum(axis: 1).mean()
    }

    /// Path-length regularisation. `probe` is the random image-space direction (rosinality draws
    /// `randn_like(fake)/√(H·W)`; pass it explicitly, already scaled, for reproducibility).
    /// Returns the penalty, the updated running mean (detached) and the per-sample lengths.
    public static func pathLength(fakeImages: Tensor, latents: Tensor, probe: Tensor, meanPathLength: Float,
                                  decay: Float = 0.01) -> (penalty: Tensor, mean: Float, lengths: Tensor) {
        let gradient = gradients(of: (fakeImages * probe).sum(), withRespectTo: [latents], retainGraph: true, createGraph: true)[0]
        let lengths = (gradient * gradient).sum(axis: 2).mean(axis: 1).sqrt()
        let pathMean = meanPathLength + decay * (lengths.mean() - meanPathLength)
        let penalty = (lengths - pathMean).pow(2).mean()
        return (penalty, pathMean.item(), lengths)
    }

    /// rosinality's probe: standard normal scaled by 1/√(H·W).
    public static func pathLengthProbe(like images: Tensor, generator: RandomGenerator) -> Tensor {
        Tensor.randomNormal(images.shape, generator: generator) * (1 / Float(images.shape[2] * images.shape[3]).squareRoot())
    }
}
