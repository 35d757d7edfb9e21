import Foundation

/// A record of a run log: one JSON object per line, ordered by training step.
public protocol RunRecord {
    /// The training step the record belongs to (what `MetricsLog.truncate(afterStep:)` compares).
    var step: Int { get }
    /// The record as one line of JSON, without the newline.
    func jsonLine() -> String
    /// Reads a record back from its parsed line; nil when a required member is missing.
    init?(jsonObject: [String: JSONValue])
}

/// One logged training step of `metrics.jsonl`.
///
/// ```swift
/// let record = TrainingRecord(step: 120, kimg: 0.48, seconds: 12.3, imagesPerSecond: 40.1,
///                             terms: ["loss": 0.21, "loss_l2": 0.05])
/// record.jsonLine()   // {"step": 120, "kimg": 0.48, "seconds": 12.3, "images_per_second": 40.1, "terms": {…}}
/// ```
public struct TrainingRecord: Sendable {
    public var step: Int
    /// Thousands of real images shown so far (StyleGAN's unit of training progress).
    public var kimg: Double
    /// Seconds of training so far.
    public var seconds: Double
    public var imagesPerSecond: Double
    /// The loss terms by name (`loss`, `loss_l2`, …; `loss_d`, `loss_g`, `r1`, … for GAN runs).
    public var terms: [String: Double]

    public init(step: Int, kimg: Double, seconds: Double, imagesPerSecond: Double, terms: [String: Double]) {
        self.step = step
        self.kimg = kimg
        self.seconds = seconds
        self.imagesPerSecond = imagesPerSecond
        self.terms = terms
    }
}

extension TrainingRecord: RunRecord {
    public func jsonLine() -> String {
        JSONLine.object([
            ("step", String(step)), ("kimg", JSONLine.number(kimg)), ("seconds", JSONLine.number(seconds)),
            ("images_per_second", JSONLine.number(imagesPerSecond)), ("terms", JSONLine.numbers(terms)),
        ])
    }

    public init?(jsonObject object: [String: JSONValue]) {
        guard let step = object["step"]?.number.flatMap(Int.init(exactly:)) else { return nil }
        self.init(step: step, kimg: object["kimg"]?.number ?? .nan, seconds: object["seconds"]?.number ?? .nan,
                  imagesPerSecond: object["images_per_second"]?.number ?? .nan, terms: object["terms"]?.numbers ?? [:])
    }
}

/// One validation of `validation.jsonl`: the test-set metrics at a step and the grid saved then.
///
/// ```swift
/// let record = ValidationRecord(step: 1000, metrics: ["mse": 0.04, "psnr": 20.1, "ssim": 0.61],
///                               grid: "samples/val-001000.png")
/// ```
public struct ValidationRecord: Sendable {
    public var step: Int
    /// Mean metrics over the test set (`mse`, `psnr`, `ssim`, `lpips`, `id`); empty for GAN runs.
    public var metrics: [String: Double]
    /// The grid's path relative to the run folder, if one was saved.
    public var grid: String?

    public init(step: Int, metrics: [String: Double], grid: String? = nil) {
        self.step = step
        self.metrics = metrics
        self.grid = grid
    }
}

extension ValidationRecord: RunRecord {
    public func jsonLine() -> String {
        var members: [(key: String, value: String)] = [("step", String(step)), ("metrics", JSONLine.numbers(metrics))]
        if let grid { members.append(("grid", JSONLine.string(grid))) }
        return JSONLine.object(members)
    }

    public init?(jsonObject object: [String: JSONValue]) {
        guard let step = object["step"]?.number.flatMap(Int.init(exactly:)) else { return nil }
        self.init(step: step, metrics: object["metrics"]?.numbers ?? [:], grid: object["grid"]?.string)
    }
}
