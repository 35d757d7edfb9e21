import Foundation
import Tensors

/// Per-image metric values gathered over an evaluation, summarised as mean ± standard
/// deviation (population, as `np.std` in pSp's `calc_losses_on_images.py`), min and max, and
/// written as a table or JSON.
///
/// ```swift
/// var summary = MetricSummary()
/// summary.add("mse", values: PixelMetrics.meanSquaredError(generated, target))
/// summary.add("lpips", values: lpips.distances(generated, target))
/// summary.add("time_per_image_s", 0.41)
/// print(summary.table())
/// try summary.jsonData().write(to: url)
/// ```
public struct MetricSummary: Sendable, Equatable {
    /// The statistics of one metric.
    public struct Statistic: Codable, Sendable, Equatable {
        public var count: Int
        public var mean: Double
        public var standardDeviation: Double
        public var minimum: Double
        public var maximum: Double

        enum CodingKeys: String, CodingKey {
            case count, mean, standardDeviation = "std", minimum = "min", maximum = "max"
        }
    }

    /// Metric names in the order they were first added.
    public private(set) var names: [String] = []
    /// Every value recorded, by metric.
    public private(set) var values: [String: [Double]] = [:]

    public init() {}

    /// Records one value of `name`.
    public mutating func add(_ name: String, _ value: Double) {
        if values[name] == nil { names.append(name) }
        values[name, default: []].append(value)
    }

    /// Records one value per image (`[N]` or `[N, 1, …]`) of `name`.
    public mutating func add(_ name: String, values tensor: Tensor) {
        for v in tensor.scalars { add(name, Double(v)) }
    }

    /// Records several values of `name`.
    public mutating func add(_ name: String, values list: [Double]) {
        for v in list { add(name, v) }
    }

    /// The statistics of `name` (nil when nothing but NaN was recorded). NaN values are left out,
    /// as the pSp-family evaluation scripts drop them (their MS-SSIM can be NaN), so `count` says
    /// how many values were used; infinite values (the PSNR of identical images) make the mean
    /// and deviation infinite, as numpy's would.
    public func statistic(_ name: String) -> Statistic? {
        guard let list = values[name]?.filter({ !$0.isNaN }), !list.isEmpty else { return nil }
        let mean = list.reduce(0, +) / Double(list.count)
        let variance = list.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(list.count)
        return Statistic(count: list.count, mean: mean, standardDeviation: variance.squareRoot(),
                         minimum: list.min()!, maximum: list.max()!)
    }

    /// One row per metric: name, mean ± std, min, max, count.
    public func table() -> String {
        let width = Swift.max(6, names.map(\.count).max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        var lines = [pad("metric", width) + "  " + pad("mean ± std", 24) + "  " + pad("min", 10) + "  " + pad("max", 10) + "  n"]
        for name in names {
            guard let s = statistic(name) else { continue }
            let f = { (v: Double) in String(format: "%.4f", v) }
            lines.append(pad(name, width) + "  " + pad("\(f(s.mean)) ± \(f(s.standardDeviation))", 24) + "  "
                         + pad(f(s.minimum), 10) + "  " + pad(f(s.maximum), 10) + "  \(s.count)")
        }
        return lines.joined(separator: "\n")
    }

    /// `{"metrics": {name: {"count", "mean", "std", "min", "max"}}}`, plus `"per_image":
    /// {name: [values]}` when `includeValues`; keys sorted, so equal summaries give equal bytes.
    /// Non-finite numbers are written as the strings "inf", "-inf", "nan".
    public func jsonData(includeValues: Bool = false) throws -> Data {
        var metrics: [String: Statistic] = [:]
        for name in names { metrics[name] = statistic(name) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(Document(metrics: metrics, perImage: includeValues ? values : nil))
    }

    struct Document: Codable {
        var metrics: [String: Statistic]
        var perImage: [String: [Double]]?
        enum CodingKeys: String, CodingKey { case metrics, perImage = "per_image" }
    }
}
