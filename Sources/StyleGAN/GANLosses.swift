import Foundation
import NeuralNetwork
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
    ///
    /// With `synchronizer`, this process holds one part of a data-parallel batch: the running
    /// mean is updated with the mean length over all replicas, and the returned penalty is a
    /// surrogate whose gradients, averaged over the replicas, are exactly those of the penalty
    /// of one process on the whole batch (the other replicas' lengths enter as constants through
    /// their sum and sum of squares); its value is that whole-batch penalty.
    public static func pathLength(fakeImages: Tensor, latents: Tensor, probe: Tensor, meanPathLength: Float,
                                  decay: Float = 0.01, synchronizer: (any GradientSynchronizer)? = nil) -> (penalty: Tensor, mean: Float, lengths: Tensor) {
        let gradient = gradients(of: (fakeImages * probe).sum(), withRespectTo: [latents], retainGraph: true, createGraph: true)[0]
        let lengths = (gradient * gradient).sum(axis: 2).mean(axis: 1).sqrt()
        guard let synchronizer, synchronizer.replicas > 1 else {
            let pathMean = meanPathLength + decay * (lengths.mean() - meanPathLength)
            let penalty = (lengths - pathMean).pow(2).mean()
            return (penalty, pathMean.item(), lengths)
        }
        // P = (1/(N·b)) Σ_all (L − m)², m = mean + decay·(Σ_all L/(N·b) − mean). This replica's
        // surrogate is N·P with the others' L held constant: Σ_others (L − m)² = Q − 2mS + n·m².
        let replicas = Float(synchronizer.replicas), local = Float(lengths.shape[0])
        let values = lengths.readData
        var ownSum: Float = 0, ownSquares: Float = 0
        for i in 0..<lengths.count { ownSum += values[i]; ownSquares += values[i] * values[i] }
        let totals = synchronizer.average([ownSum, ownSquares]).map { $0 * replicas }
        let otherSum = totals[0] - ownSum, otherSquares = totals[1] - ownSquares, otherCount = (replicas - 1) * local
        // The running mean from the reduced total alone, so that it is the same float on every
        // replica; the tensor carries this replica's lengths for the gradient (s − s is exactly 0).
        let newMean = meanPathLength + decay * (totals[0] / (replicas * local) - meanPathLength)
        let ownTotal = lengths.sum()
        let pathMean = (ownTotal - ownTotal.detached()) * (decay / (replicas * local)) + newMean
        let own = (lengths - pathMean).pow(2).sum()
        let others = pathMean * pathMean * otherCount - pathMean * (2 * otherSum) + otherSquares
        let surrogate = (own + others) * (1 / local)
        // Value N·P/N = P, gradient that of N·P: the replicas' mean gradient is then ∇P.
        return (surrogate - surrogate.detached() * (1 - 1 / replicas), newMean, lengths)
    }

    /// rosinality's probe: standard normal scaled by 1/√(H·W).
    public static func pathLengthProbe(like images: Tensor, generator: RandomGenerator) -> Tensor {
        Tensor.randomNormal(images.shape, generator: generator) * (1 / Float(images.shape[2] * images.shape[3]).squareRoot())
    }
}
