import Perceptual
import Tensors

/// StylePrompter's stage-2 loss, as the released `training/coach.py` `calc_loss` sums it (run
/// with `--type full --multi_id True`, `run_bash/train_ffhq_full.sh`):
/// `λ_id·ID_multi + λ_l2·MSE + λ_lpips·LPIPS`, defaults 0.1, 1.0, 0.6, on 256-px images in
/// [−1, 1]. No W+ term: the released coach has no `align` loss (the W+ codes come from the frozen
/// encoder). The ID term is the multi-layer one (`IDLoss(…, multi=True)`): no face crop, the
/// whole image pooled to 112, 1 − cos summed over IR-SE units 2, 6, 20, 23 and the embedding
/// (`IdentityLoss(_:_:multiLayer: true)`). A term whose network is nil is left out.
///
/// ```swift
/// let objective = StageTwoObjective(lpips: lpips, identity: IdentityLoss(facenet: irse50))
/// let (loss, terms) = objective(reconstruction: yHat, target: y)  // terms: loss_id, loss_l2, loss_lpips, loss
/// ```
public struct StageTwoObjective {
    public var identityWeight: Float = 0.1
    public var l2Weight: Float = 1
    public var lpipsWeight: Float = 0.6
    /// The released stage 2 runs with `--multi_id True`; `false` gives the single-layer (cropped) ID loss.
    public var multiLayerIdentity = true
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

    /// The loss and each term's value (the released `loss_dict` names). `reconstruction` and
    /// `target` are [B, 3, 256, 256].
    public func callAsFunction(reconstruction: Tensor, target: Tensor) -> (loss: Tensor, terms: [String: Float]) {
        var terms: [String: Float] = [:]
        var parts: [Tensor] = []
        // The released order of summation: ID, then L2, then LPIPS.
        if let identity, identityWeight > 0 {
            let term = identity(reconstruction, target, multiLayer: multiLayerIdentity)
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
        let loss = parts.dropFirst().reduce(parts[0], +)
        terms["loss"] = loss.item()
        return (loss, terms)
    }
}
