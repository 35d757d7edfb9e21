import Foundation

/// Tick positions and labels for chart axes: "nice" steps (1, 2 or 5 × 10ᵏ) on linear axes,
/// whole decades on logarithmic ones.
///
/// ```swift
/// AxisTicks.linear(from: 0.13, to: 0.87)       // [0.2, 0.4, 0.6, 0.8]
/// AxisTicks.label(12_000)                      // "12k"
/// ```
public enum AxisTicks {
    /// About `count` evenly spaced round values within `lower...upper`.
    public static func linear(from lower: Double, to upper: Double, count: Int = 5) -> [Double] {
        guard lower.isFinite, upper.isFinite, upper > lower else { return lower.isFinite ? [lower] : [] }
        let step = niceStep((upper - lower) / Double(Swift.max(1, count)))
        let first = Foundation.ceil(lower / step), last = Foundation.floor(upper / step)
        guard last >= first else { return [] }
        // Multiples of the step (not repeated sums), so 0.1·3 prints as 0.3, not 0.30000000000000004.
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// The powers of ten within `lower...upper`, given as exponents (log10 values).
    public static func decades(from lower: Double, to upper: Double) -> [Double] {
        guard lower.isFinite, upper.isFinite, upper >= lower else { return [] }
        let first = Foundation.ceil(lower), last = Foundation.floor(upper)
        guard last >= first else { return [] }
        let every = Swift.max(1, Foundation.ceil((last - first) / 6))   // at most ~7 labels
        return stride(from: first, through: last, by: every).map { $0 }
    }

    /// 1, 2 or 5 × 10ᵏ, the smallest at least `rough`.
    static func niceStep(_ rough: Double) -> Double {
        let power = Foundation.pow(10, Foundation.floor(Foundation.log10(rough)))
        let fraction = rough / power
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * power
    }

    /// A short label: `0.25`, `1e-04`, `12k`, `1.5M`.
    public static func label(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e6 { return trimmed(value / 1e6) + "M" }
        if magnitude >= 1e4 { return trimmed(value / 1e3) + "k" }
        if magnitude != 0, magnitude < 1e-3 { return String(format: "%.0e", value) }
        return trimmed(value)
    }

    /// The label of the decade `exponent` on a logarithmic axis: `0.01`, `1`, `1e-05`, `1e+06`.
    public static func decadeLabel(_ exponent: Double) -> String {
        let k = Int(exponent)
        return (-3...3).contains(k) ? trimmed(Foundation.pow(10, Double(k))) : String(format: "1e%+03d", k)
    }

    private static func trimmed(_ value: Double) -> String {
        String(format: "%.4g", value)
    }
}
