import Foundation
import Tensors
import TestSupport

/// Shared helpers for fixtures written by `Scripts/make_perceptual_fixtures.py`.
enum PerceptualFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let repositoryRoot = SharedTestData.repositoryRoot
    /// The real LPIPS head file, in the team's shared data (tests needing it skip without it).
    static let sharedAlexHeads = SharedTestData.url("lpips/v0.1_alex.pth")
    static var hasSharedAlexHeads: Bool { SharedTestData.exists("lpips/v0.1_alex.pth") }

    static func file(_ name: String) -> URL { folder.appendingPathComponent(name) }

    static func fixtures(_ name: String) throws -> FixtureFile { try FixtureFile(contentsOf: file(name)) }

    /// The float32-vs-float64 gaps PyTorch measured (`gap` metadata).
    static func gaps(_ fixtures: FixtureFile) -> [String: Double] {
        guard let json = fixtures.metadata["gap"]?.data(using: .utf8),
              let gaps = try? JSONDecoder().decode([String: Double].self, from: json) else { return [:] }
        return gaps
    }

    /// Our bound on relative L2 error against a float32 PyTorch result whose own float32 gap
    /// is `gap`: 8× that gap (a different summation order may double or triple the rounding;
    /// 8× leaves room without hiding a real error, which shows as 1e-3 or more), floored at 2e-6
    /// because single values can show a gap far below their real error by luck.
    static func bound(_ gap: Double?) -> Double { ParityTolerance.bound(gap: gap) }

    /// `blocky(base, f, h, w)` of the script: each pixel repeated f×f, cropped to h×w.
    static func blocky(_ base: Tensor, factor f: Int, height h: Int, width w: Int) -> Tensor {
        let (n, c, bh, bw) = (base.shape[0], base.shape[1], base.shape[2], base.shape[3])
        return base.reshape([n, c, bh, 1, bw, 1]).broadcast(to: [n, c, bh, f, bw, f])
            .reshape([n, c, bh * f, bw * f]).slice(2, start: 0, end: h).slice(3, start: 0, end: w)
    }

    /// Relative errors of a full gradient against the stored f×f block sums and sampled elements.
    static func gradientErrors(_ gradient: Tensor, fixtures: FixtureFile, key: String, factor f: Int) throws -> (blocks: Double, sample: Double) {
        let (n, c, h, w) = (gradient.shape[0], gradient.shape[1], gradient.shape[2], gradient.shape[3])
        let blocks = gradient.reshape([n, c, h / f, f, w / f, f]).sum(axes: [3, 5])
        let indices = try fixtures.tensor(key + "_sample_index").scalars.map { Int($0) }
        let values = gradient.scalars
        let sample = indices.map { Double(values[$0]) }
        let expected = try fixtures.tensor(key + "_sample").scalars.map(Double.init)
        return (relativeError(blocks, try fixtures.tensor(key + "_blocksum")), relativeError(sample, expected))
    }

    /// Relative error of `values` against a stored sample (`key_sample_index`, `key_sample`).
    static func sampleError(_ values: Tensor, fixtures: FixtureFile, key: String) throws -> Double {
        let indices = try fixtures.tensor(key + "_sample_index").scalars.map { Int($0) }
        let all = values.scalars
        return relativeError(indices.map { Double(all[$0]) }, try fixtures.tensor(key + "_sample").scalars.map(Double.init))
    }
}
