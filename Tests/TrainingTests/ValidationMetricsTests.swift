import Perceptual
import Tensors
import Testing
import Training

@Suite struct ValidationMetricsTests {
    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    /// The batch means of Perceptual's own functions, under the names the validation log uses.
    @Test func meansOfThePerceptualMetrics() {
        let rng = RandomGenerator(seed: 11)
        let targets = Tensor.randomUniform([3, 3, 64, 64], low: -1, high: 1, generator: rng)
        let reconstructions = (targets + Tensor.randomNormal([3, 3, 64, 64], generator: rng) * 0.2).clamp(min: -1, max: 1)
        let lpips = LPIPS(channels: [8, 16, 24, 16, 16], generator: RandomGenerator(seed: 12))
        let facenet = IRSEBackbone(configuration: IRSEConfiguration(
            stemChannels: 8, stages: [.init(depth: 8, units: 1), .init(depth: 16, units: 1), .init(depth: 16, units: 1),
                                      .init(depth: 16, units: 1)],
            reduction: 4, embeddingSize: 16, featureTaps: []))
        facenet.eval()
        let identity = IdentityLoss(facenet: facenet)

        let metrics = ValidationMetrics(lpips: lpips, identity: identity).evaluate(reconstructions, targets)
        #expect(Set(metrics.keys) == ["mse", "psnr", "ssim", "lpips", "id"])
        let expected: [String: Double] = GradientMode.withoutGradients {
            [
                "mse": Self.mean(PixelMetrics.meanSquaredError(reconstructions, targets).scalars.map(Double.init)),
                "psnr": Self.mean(PixelMetrics.peakSignalToNoiseRatio(reconstructions, targets)),
                "ssim": Self.mean(StructuralSimilarity.ssim(reconstructions, targets).scalars.map(Double.init)),
                "lpips": Self.mean(lpips.distances(reconstructions, targets).scalars.map(Double.init)),
                "id": Self.mean(identity.similarity(reconstructions, targets).scalars.map(Double.init)),
            ]
        }
        for (name, value) in expected {
            #expect(abs(metrics[name]! - value) <= 1e-9 * Swift.max(1, abs(value)), "\(name): \(metrics[name]!) vs \(value)")
        }
        #expect(metrics["psnr"]! > 10 && metrics["psnr"]! < 30)
    }

    /// Without networks only the pixel and structure metrics; accumulating batches gives the
    /// mean over every image.
    @Test func accumulatesOverBatches() {
        let rng = RandomGenerator(seed: 13)
        let a = Tensor.randomUniform([4, 3, 16, 16], low: -1, high: 1, generator: rng)
        let b = Tensor.randomUniform([4, 3, 16, 16], low: -1, high: 1, generator: rng)
        let validation = ValidationMetrics()
        let whole = validation.evaluate(a, b)
        #expect(Set(whole.keys) == ["mse", "psnr", "ssim"])
        var summary = MetricSummary()
        validation.accumulate(a.slice(0, start: 0, end: 1), b.slice(0, start: 0, end: 1), into: &summary)
        validation.accumulate(a.slice(0, start: 1, end: 4), b.slice(0, start: 1, end: 4), into: &summary)
        let parts = ValidationMetrics.means(of: summary)
        for name in whole.keys { #expect(abs(parts[name]! - whole[name]!) < 1e-6, "\(name)") }
    }
}
