import Foundation
import Tensors

/// The per-image reconstruction metrics of GAN-inversion papers (REFERENCE §5), computed for a
/// batch of reconstructions against their targets and recorded into a `MetricSummary`.
///
/// Always: `mse` (on [−1, 1], pSp's L2), `psnr` (dB, peak-to-peak 2), `ssim` and `msssim`
/// (`StructuralSimilarity`, the `pytorch_msssim` definition) and `msssim_pspfamily` (the number
/// ReStyle/HyperStyle's evaluation script prints; may be NaN, which that script drops). With the
/// networks given: `lpips` (AlexNet v0.1) and `id_similarity` (cosine of the IR-SE50 embeddings
/// of pSp's face crop — the ID loss's features, without the MTCNN re-alignment of
/// `calc_id_loss_parallel.py`). MS-SSIM needs images larger than 160 px a side and is skipped
/// below that.
///
/// ```swift
/// let metrics = InversionMetrics(lpips: lpips, identity: IdentityLoss(facenet: facenet))
/// var summary = MetricSummary()
/// for (generated, target) in batches { metrics.evaluate(generated, target, into: &summary) }
/// print(summary.table())
/// ```
public struct InversionMetrics {
    public var lpips: LPIPS?
    public var identity: IdentityLoss?

    public init(lpips: LPIPS? = nil, identity: IdentityLoss? = nil) {
        self.lpips = lpips
        self.identity = identity
    }

    /// Names `evaluate` records, in order, for these networks and images of side `side`.
    public func metricNames(side: Int = 256) -> [String] {
        var names = ["mse", "psnr", "ssim"]
        if side > 160 { names += ["msssim", "msssim_pspfamily"] }
        if lpips != nil { names.append("lpips") }
        if identity != nil { names.append("id_similarity") }
        return names
    }

    /// Records every metric of each pair of `generated` and `target` (`[N, 3, H, W]` in [−1, 1]).
    public func evaluate(_ generated: Tensor, _ target: Tensor, into summary: inout MetricSummary) {
        precondition(generated.shape == target.shape && generated.rank == 4,
                     "InversionMetrics: images \(generated.shape) and \(target.shape) must be equal NCHW")
        GradientMode.withoutGradients {
            summary.add("mse", values: PixelMetrics.meanSquaredError(generated, target))
            summary.add("psnr", values: PixelMetrics.peakSignalToNoiseRatio(generated, target))
            summary.add("ssim", values: StructuralSimilarity.ssim(generated, target))
            if Swift.min(generated.shape[2], generated.shape[3]) > 160 {
                summary.add("msssim", values: StructuralSimilarity.msssim(generated, target))
                summary.add("msssim_pspfamily", values: PSPFamilySSIM.msssim(generated, target))
            }
            if let lpips { summary.add("lpips", values: lpips.distances(generated, target)) }
            if let identity { summary.add("id_similarity", values: identity.similarity(generated, target)) }
        }
    }
}
