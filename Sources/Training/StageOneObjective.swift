import Perceptual
import Tensors

/// StylePrompter's stage-1 loss, as the released `coach_baseline.calc_loss` sums it:
/// `λ_id·ID + λ_l2·MSE + λ_lpips·LPIPS + λ_align·MSE(W+, latent_avg)`, on 256-px images in
/// [−1, 1] (defaults 0.1, 1.0, 0.6, 0.1 — REFERENCE §4). The ID and LPIPS terms need their
/// networks; without one, its term is left out.
public struct StageOneObjective {
    public var identityWeight: Float = 0.1
    public var l2Weight: Float = 1
    public var lpipsWeight: Float = 0.6
    public var alignWeight: Float = 0.1
    public let lpips: LPIPS?
    /// An optional perceptual term of our own (not in the released recipe): distances in a
    /// trained attribute predictor's features, for models whose LPIPS/ArcFace weights cannot be had.
    public var attributes: AttributeDistance?
    public var attributeWeight: Float = 0.5
    public let identity: IdentityLoss?

    public init(lpips: LPIPS?, identity: IdentityLoss?) {
        self.lpips = lpips
        self.identity = identity
    }

    /// The loss and each term's value. `reconstruction` and `target` are [B, 3, 256, 256];
    /// `latents` [B, n, D]; `latentAverage` [1 or n, D].
    public func callAsFunction(reconstruction: Tensor, target: Tensor, latents: Tensor, latentAverage: Tensor)
        -> (loss: Tensor, terms: [String: Float]) {
        var terms: [String: Float] = [:]
        var parts: [Tensor] = []
        if let identity, identityWeight > 0 {
            let term = identity(reconstruction, target)
            terms["loss_id"] = term.item()
            parts.append(term * identityWeight)
        }
        let l2 = (target - reconstruction).pow(2).mean()
        terms["loss_l2"] = l2.item()
        parts.append(l2 * l2Weight)
        if let lpips, lpipsWeight > 0 {
            let term = lpips(reconstruction, target)
            terms["loss_lpips"] = term.item()
            parts.append(term * lpipsWeight)
        }
        if let attributes, attributeWeight > 0 {
            let term = attributes.distance(reconstruction, target)
            terms["loss_attributes"] = term.item()
            parts.append(term * attributeWeight)
        }
        if alignWeight > 0 {
            let term = (latents - latentAverage.detached()).pow(2).mean()
            terms["loss_align"] = term.item()
            parts.append(term * alignWeight)
        }
        let loss = parts.dropFirst().reduce(parts[0], +)
        terms["loss"] = loss.item()
        return (loss, terms)
    }
}
