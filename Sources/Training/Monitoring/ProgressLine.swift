import Foundation

/// The one-line status of a training run:
/// `step 1200/50000 (2.4%) · loss 0.213 · loss_l2 0.0510 · 41.2 img/s · ETA 3h12m`.
///
/// Pure formatting: `TerminalProgress` draws it, `ETAEstimator` supplies the time left.
///
/// ```swift
/// ProgressLine.format(step: 1200, totalSteps: 50_000, terms: ["loss": 0.213, "loss_l2": 0.051],
///                     imagesPerSecond: 41.2, secondsRemaining: 11_520)
/// ProgressLine.number(0.0000123)   // "1.23e-05"
/// ```
public enum ProgressLine {
    /// The whole line; `secondsRemaining` nil (not yet known) shows `ETA –`.
    public static func format(step: Int, totalSteps: Int, terms: [String: Double], imagesPerSecond: Double?,
                              secondsRemaining: Double?) -> String {
        let percent = totalSteps > 0 ? 100 * Double(step) / Double(totalSteps) : 0
        var parts = ["step \(step)/\(totalSteps) (\(String(format: "%.1f", percent))%)"]
        parts += orderedTermNames(terms.keys).map { "\($0) \(number(terms[$0]!))" }
        if let imagesPerSecond { parts.append("\(number(imagesPerSecond)) img/s") }
        parts.append("ETA " + (secondsRemaining.map(duration) ?? "–"))
        return parts.joined(separator: " · ")
    }

    /// `loss` first (the total), then the other terms alphabetically, so columns stay put from
    /// line to line whatever order a dictionary gives.
    public static func orderedTermNames<Names: Sequence<String>>(_ names: Names) -> [String] {
        names.sorted { a, b in
            if (a == "loss") != (b == "loss") { return a == "loss" }
            return a < b
        }
    }

    /// Three significant digits: `0.213`, `41.2`, `1.23e+03` above 99 999, `1.23e-05` below 0.001;
    /// `nan`, `inf`, `-inf` as such.
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude < 1e-3 || magnitude >= 1e5 { return String(format: "%.2e", value) }
        // %g drops trailing zeros and switches to exponents at 1e6 only by its own rules; fix the
        // decimals instead so that 3 significant digits always show.
        let digits = Swift.max(0, 2 - Int(Foundation.floor(Foundation.log10(magnitude))))
        let rounded = String(format: "%.\(digits)f", value)
        return rounded
    }

    /// `42s`, `7m05s`, `3h12m`, `2d04h`; negative or non-finite as `–`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "–" }
        let total = Int(seconds.rounded())
        let (days, hours, minutes, secs) = (total / 86_400, total / 3600 % 24, total / 60 % 60, total % 60)
        if days > 0 { return String(format: "%dd%02dh", days, hours) }
        if hours > 0 { return String(format: "%dh%02dm", hours, minutes) }
        if minutes > 0 { return String(format: "%dm%02ds", minutes, secs) }
        return "\(secs)s"
    }
}

/// Time left from a smoothed rate: an exponential moving average of seconds per step over
/// successive observations, so one slow step (a validation, a checkpoint) moves the estimate a
/// little instead of doubling it.
///
/// ```swift
/// var eta = ETAEstimator()
/// eta.observe(step: 100, seconds: 10)
/// eta.observe(step: 200, seconds: 20)
/// eta.secondsRemaining(toStep: 1000)   // 80
/// ```
public struct ETAEstimator: Sendable {
    /// Weight of the newest interval in the average.
    public var smoothing: Double
    private var last: (step: Int, seconds: Double)?
    public private(set) var secondsPerStep: Double?

    public init(smoothing: Double = 0.1) {
        self.smoothing = smoothing
    }

    /// Records that `step` was reached at `seconds` (any clock that only moves forward).
    public mutating func observe(step: Int, seconds: Double) {
        if let last, step > last.step {
            let rate = (seconds - last.seconds) / Double(step - last.step)
            secondsPerStep = secondsPerStep.map { $0 + smoothing * (rate - $0) } ?? rate
        }
        if last == nil || step > last!.step { last = (step, seconds) }
    }

    /// Seconds until `step`, nil until two observations have given a rate.
    public func secondsRemaining(toStep step: Int) -> Double? {
        guard let secondsPerStep, let last else { return nil }
        return Swift.max(0, Double(step - last.step)) * secondsPerStep
    }
}
