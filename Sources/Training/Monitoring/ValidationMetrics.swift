import Perceptual
import Tensors

/// The test-set metrics of a validation: mean `mse` (on [−1, 1]), `psnr` (dB, peak-to-peak 2),
/// `ssim`, and with their networks given `lpips` (AlexNet) and `id` (cosine similarity of the
/// IR-SE50 embeddings of the face crop — `InversionMetrics`' `id_similarity`). The same
/// Perceptual functions as `styleprompter eval`, so a run's last validation and a later `eval`
/// agree on the same images.
///
/// ```swift
/// let validation = ValidationMetrics(lpips: lpips, identity: identity)
/// var summary = MetricSummary()
/// for (reconstruction, target) in testBatches { validation.accumulate(reconstruction, target, into: &summary) }
/// let metrics = ValidationMetrics.means(of: summary)    // ["mse": 0.04, "psnr": 20.1, …]
/// ```
public struct ValidationMetrics {
    public var lpips: LPIPS?
    public var identity: IdentityLoss?

    public init(lpips: LPIPS? = nil, identity: IdentityLoss? = nil) {
        self.lpips = lpips
        self.identity = identity
    }

    /// The mean metrics of one batch: `reconstructions` and `targets` are `[B, 3, H, W]` in [−1, 1].
    public func evaluate(_ reconstructions: Tensor, _ targets: Tensor) -> [String: Double] {
        var summary = MetricSummary()
        accumulate(reconstructions, targets, into: &summary)
        return Self.means(of: summary)
    }

    /// Records each image's metrics into `summary`, for means over several batches.
    public func accumulate(_ reconstructions: Tensor, _ targets: Tensor, into summary: inout MetricSummary) {
        precondition(reconstructions.shape == targets.shape && reconstructions.rank == 4,
                     "ValidationMetrics: images \(reconstructions.shape) and \(targets.shape) must be equal NCHW")
        GradientMode.withoutGradients {
            summary.add("mse", values: PixelMetrics.meanSquaredError(reconstructions, targets))
            summary.add("psnr", values: PixelMetrics.peakSignalToNoiseRatio(reconstructions, targets))
            summary.add("ssim", values: StructuralSimilarity.ssim(reconstructions, targets))
            if let lpips { summary.add("lpips", values: lpips.distances(reconstructions, targets)) }
            if let identity { summary.add("id", values: identity.similarity(reconstructions, targets)) }
        }
    }

    /// The mean of each metric in `summary` (NaN values left out, as `MetricSummary` does; a
    /// pair of identical images makes the mean PSNR infinite).
    public static func means(of summary: MetricSummary) -> [String: Double] {
        var means: [String: Double] = [:]
        for name in summary.names {
            means[name] = summary.statistic(name)?.mean ?? .nan
        }
        return means
    }
}
