import Foundation
import Perceptual
import Tensors
import Testing
import TestSupport

/// SSIM / MS-SSIM against pytorch_msssim 1.0.0, MSE and PSNR, and the summary.
struct MetricsTests {
    let fixtures: FixtureFile
    let gaps: [String: Double]

    init() throws {
        fixtures = try PerceptualFixtures.fixtures("ssim.safetensors")
        gaps = PerceptualFixtures.gaps(fixtures)
    }

    func check(_ key: String, _ value: Tensor) throws {
        let error = relativeError(value, try fixtures.tensor(key))
        print("parity \(key): \(value.scalars) relative \(error) (gap \(gaps[key] ?? 0))")
        #expect(error <= PerceptualFixtures.bound(gaps[key]), "\(key)")
    }

    @Test func ssimAndMSSSIMMatchPytorchMSSSIM() throws {
        let a = PerceptualFixtures.blocky(try fixtures.tensor("a_base"), factor: 8, height: 256, width: 256)
        let b = PerceptualFixtures.blocky(try fixtures.tensor("b_base"), factor: 8, height: 256, width: 256)
        try check("ssim", StructuralSimilarity.ssim(a, b))
        try check("msssim", StructuralSimilarity.msssim(a, b))
        try check("mse", PixelMetrics.meanSquaredError(a, b))
        let psnr = PixelMetrics.peakSignalToNoiseRatio(a, b)
        #expect(relativeError(psnr, try fixtures.tensor("psnr").scalars.map(Double.init)) <= ParityTolerance.bound(gap: nil))
        // The same images on [0, 1] and on [0, 255] give the same numbers.
        let unit = StructuralSimilarity.ssim((a + 1) / 2, (b + 1) / 2, inputRange: 0...1)
        #expect(relativeError(unit, try fixtures.tensor("ssim")) <= ParityTolerance.bound(gap: nil))
        let bytes = StructuralSimilarity.msssim((a + 1) * 127.5, (b + 1) * 127.5, inputRange: 0...255)
        #expect(relativeError(bytes, try fixtures.tensor("msssim")) <= ParityTolerance.bound(gap: nil))
    }

    @Test func oddSidesAndShortSides() throws {
        let a = PerceptualFixtures.blocky(try fixtures.tensor("odd_a_base"), factor: 3, height: 171, width: 165)
        let b = PerceptualFixtures.blocky(try fixtures.tensor("odd_b_base"), factor: 3, height: 171, width: 165)
        try check("odd_ssim", StructuralSimilarity.ssim(a, b))
        try check("odd_msssim", StructuralSimilarity.msssim(a, b))
        try check("small_ssim", StructuralSimilarity.ssim(try fixtures.tensor("small_a"), try fixtures.tensor("small_b")))
    }

    @Test func pspFamilyEvaluationMSSSIMMatchesHyperStyleScript() throws {
        let a = PerceptualFixtures.blocky(try fixtures.tensor("a_base"), factor: 8, height: 256, width: 256)
        let b = PerceptualFixtures.blocky(try fixtures.tensor("b_base"), factor: 8, height: 256, width: 256)
        #expect(PSPFamilySSIM.dynamicRange(of: a) == 2)
        try check("pspfamily_msssim", PSPFamilySSIM.msssim(a, b))
        try check("pspfamily_ssim", PSPFamilySSIM.ssim(a, b))
        let c = PerceptualFixtures.blocky(try fixtures.tensor("pspfamily_narrow_a_base"), factor: 8, height: 199, width: 197)
        let d = PerceptualFixtures.blocky(try fixtures.tensor("pspfamily_narrow_b_base"), factor: 8, height: 199, width: 197)
        #expect(PSPFamilySSIM.dynamicRange(of: c) == 1)
        try check("pspfamily_narrow_msssim", PSPFamilySSIM.msssim(c, d))
        try check("pspfamily_narrow_ssim", PSPFamilySSIM.ssim(c, d))
        let first = a.narrow(0, start: 0, length: 1)
        #expect(PSPFamilySSIM.msssim(first, -first).item().isNaN)
        #expect(try fixtures.tensor("pspfamily_negated_msssim").item().isNaN)
        try check("pspfamily_negated_ssim", PSPFamilySSIM.ssim(first, -first))
    }

    @Test func identicalImagesScoreOne() throws {
        let a = PerceptualFixtures.blocky(try fixtures.tensor("a_base"), factor: 8, height: 256, width: 256)
        #expect(StructuralSimilarity.ssim(a, a).scalars.allSatisfy { abs($0 - 1) < 1e-5 })
        #expect(StructuralSimilarity.msssim(a, a).scalars.allSatisfy { abs($0 - 1) < 1e-5 })
        #expect(PixelMetrics.peakSignalToNoiseRatio(a, a).allSatisfy { $0 == .infinity })
    }

    /// The windows' float32 bits, as `pytorch_msssim._fspecial_gauss_1d(11, 1.5)` and
    /// HyperStyle's `gaussian(11, 1.5)` give them under PyTorch 2.13 (printed by hand once).
    @Test func gaussianWindowsAreTheReferencesBitForBit() {
        let half: [UInt32] = [0x3a86cab8, 0x3bf8ff01, 0x3d13758c, 0x3ddff87f, 0x3e5a1e1f, 0x3e8832b0]
        #expect(StructuralSimilarity.gaussianWindow().map(\.bitPattern) == half + half.dropLast().reversed())
        let hyperStyle: [UInt32] = [0x3a86cab6, 0x3bf8ff01, 0x3d13758c, 0x3ddff87f, 0x3e5a1e1f, 0x3e8832b0]
        #expect(PSPFamilySSIM.window(size: 11).map(\.bitPattern) == hyperStyle + hyperStyle.dropLast().reversed())
    }

    @Test func ssimIsDifferentiable() throws {
        let a = try fixtures.tensor("small_a"), b = try fixtures.tensor("small_b")
        let errors = FiniteDifferences.relativeErrors(of: { StructuralSimilarity.ssim($0[0], $0[1]) }, at: [a, b], step: 1e-2)
        #expect(errors.allSatisfy { $0 < 1e-2 }, "\(errors)")
    }

    @Test func inversionMetricsRecordEveryMetric() throws {
        let a = PerceptualFixtures.blocky(try fixtures.tensor("a_base"), factor: 8, height: 256, width: 256)
        let b = PerceptualFixtures.blocky(try fixtures.tensor("b_base"), factor: 8, height: 256, width: 256)
        let lpips = try LPIPS.load(from: [PerceptualFixtures.file("lpips_small_psp.pt")])
        let identity = IdentityLoss(facenet: try IRSEBackbone.load(contentsOf: PerceptualFixtures.file("irse_mini.pt")))
        let metrics = InversionMetrics(lpips: lpips, identity: identity)
        var summary = MetricSummary()
        metrics.evaluate(a, b, into: &summary)
        #expect(summary.names == metrics.metricNames())
        #expect(summary.names == ["mse", "psnr", "ssim", "msssim", "msssim_pspfamily", "lpips", "id_similarity"])
        #expect(relativeError(summary.values["ssim"]!, try fixtures.tensor("ssim").scalars.map(Double.init)) <= ParityTolerance.bound(gap: nil))
        #expect(relativeError(summary.values["msssim_pspfamily"]!, try fixtures.tensor("pspfamily_msssim").scalars.map(Double.init)) <= ParityTolerance.bound(gap: nil))
        #expect(summary.statistic("lpips")!.count == 2)
        var small = MetricSummary()
        InversionMetrics().evaluate(try fixtures.tensor("small_a"), try fixtures.tensor("small_b"), into: &small)
        #expect(small.names == InversionMetrics().metricNames(side: 9))
    }

    @Test func summaryStatisticsAndJSON() throws {
        var summary = MetricSummary()
        summary.add("mse", values: Tensor(shape: [4], scalars: [1, 2, 3, 4]))
        summary.add("id", 0.5)
        let mse = try #require(summary.statistic("mse"))
        #expect(mse.count == 4 && mse.mean == 2.5 && abs(mse.standardDeviation - 1.25.squareRoot()) < 1e-12)
        #expect(mse.minimum == 1 && mse.maximum == 4)
        #expect(summary.names == ["mse", "id"])
        let json = try JSONSerialization.jsonObject(with: summary.jsonData(includeValues: true)) as! [String: Any]
        let metrics = json["metrics"] as! [String: [String: Any]]
        #expect(metrics["mse"]?["std"] as? Double == 1.25.squareRoot())
        #expect((json["per_image"] as! [String: [Double]])["id"] == [0.5])
        #expect(summary.table().contains("2.5000 ± 1.1180"))
        var withInfinity = MetricSummary()
        withInfinity.add("psnr", .infinity)
        #expect(String(decoding: try withInfinity.jsonData(), as: UTF8.self).contains("\"inf\""))
    }
}
