/// The one rule for comparing our results with PyTorch fixtures: the relative L2 error may be up
/// to `factor` (8) times PyTorch's own float32-vs-float64 gap on the same value — the room a
/// different but valid float32 summation order needs — and is never required below `floor`
/// (2e-6, a few float32 roundings: exact values, gap 0, may still be summed in another order).
///
/// Fixture scripts record the gap per value where they can (`gap` metadata); fixtures that do
/// not pass the largest gap their script measured for that kind of value, stated beside it.
///
/// ```swift
/// #expect(relativeError(ours, reference) <= ParityTolerance.bound(gap: gaps["image"]))
/// ```
public enum ParityTolerance {
    public static let factor = 8.0
    public static let floor = 2e-6

    public static func bound(gap: Double?) -> Double { Swift.max(factor * (gap ?? 0), floor) }
}
