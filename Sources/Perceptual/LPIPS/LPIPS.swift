import NeuralNetwork
import Tensors

/// Learned Perceptual Image Patch Similarity (Zhang et al. 2018), version 0.1 with the AlexNet
/// trunk — the loss and metric of pSp, e4e and StylePrompter (`criteria/lpips`, weight 0.6 in
/// both training stages).
///
/// For images `x`, `y` in [−1, 1], `[N, 3, H, W]`:
/// 1. scaling layer: `(x − shift) / scale`, shift `[−0.030, −0.088, −0.188]`, scale
///    `[0.458, 0.448, 0.450]` (constants of LPIPS v0.1, not stored);
/// 2. the five AlexNet activations `fₖ` of each image;
/// 3. unit-normalise over channels: `f / (‖f‖₂ + 1e-10)`;
/// 4. `dₖ = (f̂ₖ(x) − f̂ₖ(y))²`, a 1×1 linear head `lin.k` (no bias, non-negative weights) → one
///    channel, averaged over space;
/// 5. sum over the five layers: the distance of each image pair.
///
/// `callAsFunction` returns the batch mean (pSp: `sum(res) / N`); `distances` returns one value
/// per pair (the `lpips` package's output). Both are differentiable with respect to the images.
///
/// Keys are those of `criteria.lpips.LPIPS.state_dict()` without its constant buffers:
/// `net.layers.{0,3,6,8,10}.{weight,bias}`, `lin.{0..4}.1.weight [1, Cₖ, 1, 1]`. See
/// `LPIPS+Loading.swift` for the file layouts accepted.
///
/// ```swift
/// let lpips = try LPIPS.load(trunk: alexnetURL, heads: headsURL)   // v0.1_alex.pth
/// let loss = lpips(generated, target)          // scalar, differentiable
/// let perImage = lpips.distances(generated, target)   // [N]
/// ```
public final class LPIPS: Module {
    /// LPIPS v0.1's input shift (per RGB channel), for images in [−1, 1].
    public static let shift: [Float] = [-0.030, -0.088, -0.188]
    /// LPIPS v0.1's input scale.
    public static let scale: [Float] = [0.458, 0.448, 0.450]
    /// The epsilon of the channel normalisation `f / (‖f‖₂ + ε)`.
    public static let normalizationEpsilon: Float = 1e-10

    public var net: AlexNetFeatures
    /// One head per tap: `Sequential([Identity, Conv2d(Cₖ, 1, 1×1, no bias)])`.
    public var lin: [Sequential]

    /// A randomly initialised metric; load weights before use (`LPIPS.load`).
    /// `generator` draws the initial weights (the shared default generator when nil).
    public init(channels: [Int] = AlexNetFeatures.standardChannels, generator: RandomGenerator? = nil) {
        net = AlexNetFeatures(channels: channels, generator: generator)
        lin = channels.map { Sequential([Identity(), Conv2d($0, 1, kernelSize: 1, bias: false, generator: generator)]) }
        super.init()
        eval()
        setRequiresGradient(false)
    }

    /// The LPIPS distance of each pair, `[N]`.
    public func distances(_ x: Tensor, _ y: Tensor) -> Tensor {
        precondition(x.shape == y.shape && x.rank == 4 && x.shape[1] == 3,
                     "LPIPS: inputs \(x.shape) and \(y.shape) must be equal [N, 3, H, W]")
        // Two trunk passes, as the reference: the target usually needs no gradient, so its pass
        // records nothing and the backward pass covers `x` alone.
        let tapsX = net.features(Self.scaled(x)), tapsY = net.features(Self.scaled(y))
        var total: Tensor?
        for k in tapsX.indices {
            let difference = Self.unitNormalized(tapsX[k]) - Self.unitNormalized(tapsY[k])
            let layerDistance = lin[k](difference * difference).mean(axes: [1, 2, 3])
            total = total.map { $0 + layerDistance } ?? layerDistance
        }
        return total!
    }

    /// The mean distance over the batch — the training loss.
    public func callAsFunction(_ x: Tensor, _ y: Tensor) -> Tensor {
        distances(x, y).mean()
    }

    /// `(x − shift) / scale` per channel.
    static func scaled(_ images: Tensor) -> Tensor {
        (images - Tensor(shape: [1, 3, 1, 1], scalars: shift)) / Tensor(shape: [1, 3, 1, 1], scalars: scale)
    }

    /// `f / (√Σ_c f² + 1e-10)`, as `normalize_activation` / `normalize_tensor`.
    ///
    /// Where every channel is 0 (common after the ReLU), √'s derivative is infinite and PyTorch's
    /// gradient there is 0·∞ = NaN — which its ReLU backward (a select, not a product) then
    /// discards. Clamping the sum at the smallest normal float first gives the same forward values
    /// bit for bit (√1.2e-38 ≈ 1e-19 vanishes against 1e-10) and that same zero gradient without
    /// relying on how the ReLU's rule is written.
    static func unitNormalized(_ features: Tensor) -> Tensor {
        let squares = (features * features).sum(axis: 1, keepDims: true)
        return features / (squares.clamp(min: .leastNormalMagnitude).sqrt() + normalizationEpsilon)
    }
}
