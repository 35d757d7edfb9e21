import Foundation

/// One series as an inline SVG line chart: the raw points in a light line, a centred moving
/// average over them in a dark one, axis ticks and labels, a logarithmic y axis when the
/// positive values span more than two decades. Long series are reduced to at most
/// `maximumPoints` drawn points per chart (the minimum and maximum of each bucket, so spikes stay
/// visible) and the page stays small for 100k-step logs.
///
/// ```swift
/// let chart = LineChart(title: "loss", points: records.map { (Double($0.step), $0.terms["loss"] ?? .nan) })
/// html += chart.svg()
/// ```
public struct LineChart {
    public var title: String
    public var xLabel: String
    /// (x, y) in x order; non-finite y values are counted and noted, not drawn.
    public var points: [(x: Double, y: Double)]
    /// Whether the best value is the highest (PSNR, SSIM, ID) or the lowest (MSE, LPIPS); nil
    /// when neither is "best" (GAN losses), and the header then gives the minimum.
    public var higherIsBetter: Bool?
    public var width = 536
    public var height = 236

    /// The most points a chart draws, both lines together: three quarters for the raw points,
    /// a quarter for the (smooth) average.
    public static let maximumPoints = 1000

    public init(title: String, xLabel: String = "step", points: [(x: Double, y: Double)]) {
        self.title = title
        self.xLabel = xLabel
        self.points = points
    }

    /// Whether the y axis is logarithmic: every value positive and max/min over 100.
    public var isLogarithmic: Bool {
        let ys = points.lazy.map(\.y).filter(\.isFinite)
        guard let low = ys.min(), let high = ys.max(), low > 0 else { return false }
        return high / low > 100
    }

    /// Indices of at most `maximum` points of a series of `count` that keep its shape: all of
    /// them when few enough, else the lowest and highest point of each of `maximum / 2` buckets
    /// in their own order.
    public static func reducedIndices(of values: [Double], maximum: Int = maximumPoints) -> [Int] {
        let count = values.count
        guard count > maximum else { return Array(0..<count) }
        let buckets = Swift.max(1, maximum / 2)
        var indices: [Int] = []
        indices.reserveCapacity(2 * buckets)
        for bucket in 0..<buckets {
            let start = bucket * count / buckets, end = (bucket + 1) * count / buckets
            guard start < end else { continue }
            var low = start, high = start
            for i in start..<end {
                if values[i] < values[low] { low = i }
                if values[i] > values[high] { high = i }
            }
            if low == high { indices.append(low) } else { indices += [Swift.min(low, high), Swift.max(low, high)] }
        }
        return indices
    }

    /// Centred moving average with a window of `2·half + 1` points (shorter at the ends).
    static func movingAverage(_ values: [Double], half: Int) -> [Double] {
        guard half > 0 else { return values }
        var prefix = [0.0]
        prefix.reserveCapacity(values.count + 1)
        for v in values { prefix.append(prefix.last! + v) }
        return values.indices.map { i in
            let lo = Swift.max(0, i - half), hi = Swift.min(values.count - 1, i + half)
            return (prefix[hi + 1] - prefix[lo]) / Double(hi - lo + 1)
        }
    }

    /// The chart as an `<svg>` element.
    public func svg() -> String {
        let finite = points.filter { $0.y.isFinite && $0.x.isFinite }
        let skipped = points.count - finite.count
        let logarithmic = isLogarithmic
        let xs = finite.map(\.x)
        // Log values are averaged and scaled as logs, so a loss falling by decades reads evenly.
        let ys = finite.map { logarithmic ? Foundation.log10($0.y) : $0.y }

        let left = 64.0, right = 18.0, top = 30.0, bottom = 40.0
        let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\">"
        svg += "<text x=\"\(left)\" y=\"18\" class=\"title\">\(HTMLText.escape(title))</text>"
        if let last = finite.last {
            var summary = "last \(ProgressLine.number(last.y))"
            if finite.count > 1, let best = higherIsBetter == true ? finite.map(\.y).max() : finite.map(\.y).min() {
                summary += " · \(higherIsBetter == nil ? "min" : "best") \(ProgressLine.number(best))"
            }
            if logarithmic { summary += " · log scale" }
            svg += "<text x=\"\(Double(width) - right)\" y=\"18\" class=\"note\" text-anchor=\"end\">\(HTMLText.escape(summary))</text>"
        }
        svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" class=\"frame\"/>"
        guard !finite.isEmpty else {
            svg += "<text x=\"\(left + plotWidth / 2)\" y=\"\(top + plotHeight / 2)\" class=\"note\" text-anchor=\"middle\">"
                + "no finite values (\(skipped) non-finite)</text></svg>"
            return svg
        }

        var (xLow, xHigh) = (xs.min()!, xs.max()!)
        if xHigh == xLow { (xLow, xHigh) = (xLow - 1, xHigh + 1) }
        var (yLow, yHigh) = (ys.min()!, ys.max()!)
        if yHigh == yLow {
            // A constant series sits mid-chart with a little room around it.
            let pad = logarithmic ? 0.5 : Swift.max(abs(yLow) * 0.1, 1e-6)
            (yLow, yHigh) = (yLow - pad, yHigh + pad)
        } else {
            let pad = (yHigh - yLow) * 0.05
            (yLow, yHigh) = (yLow - pad, yHigh + pad)
        }
        func px(_ x: Double) -> Double { left + (x - xLow) / (xHigh - xLow) * plotWidth }
        func py(_ y: Double) -> Double { top + (1 - (y - yLow) / (yHigh - yLow)) * plotHeight }
        func coordinate(_ v: Double) -> String { String(format: "%.1f", v) }

        let yTicks = logarithmic ? AxisTicks.decades(from: yLow, to: yHigh) : AxisTicks.linear(from: yLow, to: yHigh, count: 4)
        for tick in yTicks {
            let y = coordinate(py(tick))
            svg += "<line x1=\"\(left)\" x2=\"\(left + plotWidth)\" y1=\"\(y)\" y2=\"\(y)\" class=\"grid\"/>"
            let label = logarithmic ? AxisTicks.decadeLabel(tick) : AxisTicks.label(tick)
            svg += "<text x=\"\(left - 6)\" y=\"\(y)\" class=\"tick\" text-anchor=\"end\" dominant-baseline=\"middle\">\(label)</text>"
        }
        for tick in AxisTicks.linear(from: xLow, to: xHigh, count: 5) {
            let x = coordinate(px(tick))
            svg += "<line x1=\"\(x)\" x2=\"\(x)\" y1=\"\(top)\" y2=\"\(top + plotHeight)\" class=\"grid\"/>"
            svg += "<text x=\"\(x)\" y=\"\(top + plotHeight + 15)\" class=\"tick\" text-anchor=\"middle\">\(AxisTicks.label(tick))</text>"
        }
        svg += "<text x=\"\(left + plotWidth / 2)\" y=\"\(Double(height) - 6)\" class=\"axis\" text-anchor=\"middle\">\(HTMLText.escape(xLabel))</text>"

        func polyline(_ indices: [Int], _ values: [Double], `class` name: String) -> String {
            let list = indices.map { "\(coordinate(px(xs[$0]))),\(coordinate(py(values[$0])))" }.joined(separator: " ")
            return "<polyline class=\"\(name)\" points=\"\(list)\"/>"
        }
        if finite.count < 10 {
            // Few points (validations): each one marked, joined by the dark line.
            if finite.count > 1 { svg += polyline(Array(finite.indices), ys, class: "smooth") }
            for i in finite.indices {
                svg += "<circle cx=\"\(coordinate(px(xs[i])))\" cy=\"\(coordinate(py(ys[i])))\" r=\"3\" class=\"dot\"/>"
            }
        } else {
            svg += polyline(Self.reducedIndices(of: ys, maximum: Self.maximumPoints * 3 / 4), ys, class: "raw")
            // The average is smooth, so every k-th point of it is enough.
            let smoothed = Self.movingAverage(ys, half: Swift.max(1, finite.count / 100))
            let smoothPoints = Self.maximumPoints / 4 - 1   // one kept for the last point
            let step = Swift.max(1, (finite.count + smoothPoints - 1) / smoothPoints)
            var indices = Array(stride(from: 0, to: finite.count, by: step))
            if indices.last != finite.count - 1 { indices.append(finite.count - 1) }
            svg += polyline(indices, smoothed, class: "smooth")
        }
        if skipped > 0 {
            svg += "<text x=\"\(left + plotWidth - 6)\" y=\"\(top + 14)\" class=\"warning\" text-anchor=\"end\">"
                + "\(skipped) non-finite value\(skipped == 1 ? "" : "s") not drawn</text>"
        }
        return svg + "</svg>"
    }
}
